import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { SENSITIVITY_PRESETS, presetRule } from '../src/engine/core/rules.js';
import type { AlertEvent } from '../src/engine/core/types.js';
import { systemClock } from '../src/engine/ports/clock.js';
import type { Destination } from '../src/engine/ports/destination.js';
import type { QueueBackend, RateLimiter } from '../src/engine/ports/queue.js';
import { subscriptionId, type Store, type Subscription } from '../src/engine/ports/store.js';
import { DeliveryPipeline } from '../src/delivery/pipeline.js';
import { BullQueueBackend } from '../src/queue/bullmq.js';
import { InProcessQueueBackend } from '../src/queue/memory.js';
import { MemoryRateLimiter, RedisRateLimiter } from '../src/queue/rate-limit.js';
import { MemoryStore } from '../src/store/memory.js';
import { connectRedis, type RedisClient } from '../src/store/redis-client.js';
import { RedisStore } from '../src/store/redis.js';
import type { BenchRunner, Measure } from './types.js';

/** Operations kept in flight against Redis (a busy deployment's bot and workers together). */
const IN_FLIGHT = 50;
const FANOUT_SUBSCRIPTIONS = 10_000;
/** The BullMQ anchor: 10k small jobs drained at concurrency 50. */
const DRAIN_CONCURRENCY = 50;

const THRESHOLDS = { ...SENSITIVITY_PRESETS.normal };
const RULE = presetRule('normal').id;

function sub(i: number, symbol: string): Subscription {
  const base = { kind: 'watch' as const, chat: { platform: 'bench', chatId: `c${i}`, chatType: 'private' as const }, userId: `u${i}`, symbol };
  return { ...base, id: subscriptionId(base), thresholds: THRESHOLDS, createdAt: 0, updatedAt: 0 };
}

function alert(symbol: string, i: number): AlertEvent {
  const ts = 1_900_000_000_000 + i * 1_000;
  return {
    id: `bench-${symbol.replace('/', '')}-${ts}-up-${i}`,
    venue: 'bench',
    symbol,
    ts,
    barTs: ts - 1_000,
    price: 100,
    direction: 'up',
    change: { pct: 3, windowMs: 60_000, fromPrice: 97, fromTs: ts - 60_000 },
    score: 0.995,
    detectors: [{ name: 'zscore', score: 0.999, explanation: 'bench' }],
    explanation: 'bench',
    rules: [RULE],
    quoteVolume: 1e6,
    late: false,
  };
}

/** Runs `total` operations with `inFlight` of them outstanding at a time; returns ops/s. */
async function opsPerSecond(total: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await op(next++);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/** A mixed store workload: what a bot command and a delivery job do. */
async function storeOps(store: Store, total: number, inFlight: number): Promise<number> {
  const limits = { perUser: 1e9, perChat: 1e9 };
  for (let i = 0; i < 100; i++) await store.putSubscription(sub(i, 'OPS/USDT'), limits);
  return opsPerSecond(total, inFlight, async (i) => {
    switch (i % 5) {
      case 0:
        return store.getSubscription(sub(i % 100, 'OPS/USDT').id);
      case 1:
        return store.updateSubscriptions([sub(i % 100, 'OPS/USDT').id], (s) => ({ ...s, mutedUntil: i }));
      case 2:
        return store.putReceipt(`ops-${i}`, { at: i }, 60_000);
      case 3:
        return store.getReceipt(`ops-${i - 1}`);
      default:
        return store.recordAlert(alert('OPS/USDT', i), { historyPerStream: 100, ttlMs: 60_000 });
    }
  });
}

const noop: Destination = { platform: 'bench', send: async () => ({ at: 0 }) };

/**
 * Time to find 10k recipients of one alert and enqueue their deliveries (best of two: the first
 * sends at once, the second is held for a burst), and the CPU time this process spent on it: the
 * one-core budget, which a loaded machine inflates less than the wall time.
 */
async function fanOut(store: Store, queues: QueueBackend, limiter: RateLimiter): Promise<{ ms: number; cpuMs: number }> {
  const limits = { perUser: 1e9, perChat: 1e9 };
  const symbol = 'FAN/USDT';
  for (let i = 0; i < FANOUT_SUBSCRIPTIONS; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, FANOUT_SUBSCRIPTIONS - i) }, (_, k) => store.putSubscription(sub(i + k, symbol), limits)));
  }
  const pipeline = new DeliveryPipeline({ store, queues, limiter, clock: systemClock, destinations: [noop] });
  let best = { ms: Infinity, cpuMs: Infinity };
  for (let rep = 0; rep < 2; rep++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const n = await pipeline.fanOut(alert(symbol, rep));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (n !== FANOUT_SUBSCRIPTIONS) throw new Error(`fan-out enqueued ${n} deliveries, expected ${FANOUT_SUBSCRIPTIONS}`);
    if (ms < best.ms) best = { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  }
  return best;
}

/** Jobs/s through a queue with a no-op handler: enqueue `jobs`, then time the drain. */
async function drainRate(queues: QueueBackend, jobs: number, limiter?: { max: number; perMs: number }): Promise<number> {
  const name = `bench-${randomBytes(3).toString('hex')}`;
  const opts = { attempts: 1, backoffMs: 100 };
  const q = queues.queue<{ i: number }>(name, opts);
  for (let i = 0; i < jobs; i += 1_000) await q.addBulk(Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({ id: `j${i + k}`, data: { i: i + k } })));
  let done = 0;
  let first = 0;
  let last = 0;
  let finished: () => void = () => {};
  const drained = new Promise<void>((resolve) => (finished = resolve));
  const w = queues.work<{ i: number }>(name, opts, async () => {
    const now = performance.now();
    if (done === 0) first = now;
    last = now;
    if (++done === jobs) finished();
  }, { concurrency: DRAIN_CONCURRENCY, limiter });
  await drained;
  await w.close();
  // Rate between the first and the last job start (excludes worker start-up); with a limiter, the
  // first period's allowance starts at once, so the rate counts the jobs after it.
  return (jobs - (limiter ? limiter.max : 1)) / ((last - first) / 1000);
}

/** Achieved per-chat rate through the delivery pipeline (GCRA slots + deferrals), steady state. */
async function perChatRate(store: Store, queues: QueueBackend, limiter: RateLimiter, rate: { max: number; perMs: number }, messages: number): Promise<number> {
  const times: number[] = [];
  const dest: Destination = {
    platform: 'benchchat',
    send: async () => {
      times.push(performance.now());
      return { at: 0 };
    },
  };
  const to = { platform: 'benchchat', chatId: `chat-${randomBytes(3).toString('hex')}`, chatType: 'private' as const };
  const pipeline = new DeliveryPipeline({
    store,
    queues,
    limiter,
    clock: systemClock,
    destinations: [dest],
    routes: [{ to, thresholds: THRESHOLDS }],
    options: { rates: { benchchat: { perChat: rate } }, deliver: { attempts: 3, backoffMs: 100, concurrency: 20 } },
  });
  pipeline.startDeliveryWorkers();
  for (let i = 0; i < messages; i++) await pipeline.render(alert(`PC${i}/USDT`, i));
  while (times.length < messages) await new Promise((r) => setTimeout(r, 20));
  await pipeline.close();
  // After the initial burst allowance (rate.max at once), slots come one interval apart.
  const steady = times.slice(rate.max - 1);
  return (steady.length - 1) / (((steady.at(-1) as number) - (steady[0] as number)) / 1000);
}

async function redisReachable(url: string): Promise<boolean> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.ping();
    return true;
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client as Redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await node.del(...keys);
    } while (cursor !== '0');
  }
}

export const run: BenchRunner = async ({ quick }) => {
  const measures: Measure[] = [];
  const notes: string[] = [];
  const ops = quick ? 5_000 : 50_000;
  const drainJobs = quick ? 2_000 : 10_000;

  measures.push({ key: 'store.memory.ops_per_s', label: 'store ops/s, in memory (mixed)', value: await storeOps(new MemoryStore(), ops * 4, 1), unit: 'ops/s' });
  measures.push({
    key: 'store.fanout.memory_10k_ms',
    label: 'fan-out of one alert to 10,000 subscriptions, embedded',
    value: (await fanOut(new MemoryStore(), new InProcessQueueBackend(), new MemoryRateLimiter())).ms,
    unit: 'ms',
    goal: '<= 1000',
  });

  // Bench tooling, not the product: the Redis to measure against comes from the environment.
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  if (!(await redisReachable(url))) {
    notes.push(`no Redis at ${url}: Redis and BullMQ measures skipped`);
    return { name: 'store', measures, notes };
  }
  const client = connectRedis({ url });
  const prefix = `twbench:${randomBytes(4).toString('hex')}`;
  const store = new RedisStore(client, { prefix });
  const queues = new BullQueueBackend(client, { prefix });
  const limiter = new RedisRateLimiter(client, prefix);
  try {
    measures.push({ key: 'store.redis.ops_per_s', label: `store ops/s, Redis (mixed, ${IN_FLIGHT} in flight)`, value: await storeOps(store, ops, IN_FLIGHT), unit: 'ops/s' });
    const fan = await fanOut(store, queues, limiter);
    measures.push({ key: 'store.fanout.redis_10k_ms', label: 'fan-out of one alert to 10,000 subscriptions, Redis + BullMQ', value: fan.ms, unit: 'ms', goal: '<= 1000' });
    measures.push({ key: 'store.fanout.redis_10k_cpu_ms', label: '  of which CPU time of this process (the one-core budget)', value: fan.cpuMs, unit: 'ms', goal: '<= 1000' });
    measures.push({
      key: 'store.bullmq.jobs_per_s',
      label: `BullMQ no-op jobs/s, concurrency ${DRAIN_CONCURRENCY}`,
      value: await drainRate(queues, drainJobs),
      unit: 'jobs/s',
      anchor: 'BullMQ drains 10k small jobs at ~14,000/s',
    });
    const overall = { max: 200, perMs: 1_000 };
    const achieved = await drainRate(queues, quick ? 600 : 1_000, overall);
    measures.push({
      key: 'store.ratelimit.overall_pct',
      label: `achieved / configured rate, queue limit ${overall.max}/s`,
      value: (100 * achieved) / overall.max,
      unit: '%',
      goal: '>= 90',
    });
    const chat = { max: 5, perMs: 500 };
    const perChat = await perChatRate(store, queues, limiter, chat, quick ? 25 : 60);
    measures.push({
      key: 'store.ratelimit.per_chat_pct',
      label: `achieved / configured rate, one chat at ${(chat.max * 1000) / chat.perMs}/s`,
      value: (100 * perChat * chat.perMs) / (chat.max * 1000),
      unit: '%',
      goal: '>= 90',
    });
  } finally {
    await queues.close();
    await deleteKeys(client, prefix);
    await client.quit();
  }
  return { name: 'store', measures, notes };
};
