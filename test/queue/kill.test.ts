import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/engine/ports/clock.js';
import { alertDeliveryId } from '../../src/delivery/address.js';
import { DeliveryPipeline } from '../../src/delivery/pipeline.js';
import { BullQueueBackend } from '../../src/queue/bullmq.js';
import { MemoryRateLimiter } from '../../src/queue/rate-limit.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis.js';
import { makeAlert, makeSub } from '../store/conformance.js';
import { deleteKeys, randomPrefix, TEST_REDIS_URL } from '../store/redis-env.js';
import { KILL_TEST_OPTIONS } from './fixtures/kill-options.js';
import { until } from './wait.js';

const WORKER = fileURLToPath(new URL('./fixtures/delivery-worker.ts', import.meta.url));
const CHATS = 10;
const ALERTS = 40;
/** The sink answers after this long, so that deliveries are in flight when the kill lands. */
const SINK_DELAY_MS = 3;

const client = connectRedis({ url: TEST_REDIS_URL });
const prefix = randomPrefix('kill');
let server: Server;
let sinkUrl: string;
/** Every request, repeats included, and the set a receiver honouring the idempotency key keeps. */
const raw: string[] = [];
const accepted = new Set<string>();
const children: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, TW_REDIS_URL: TEST_REDIS_URL, TW_PREFIX: prefix, TW_SINK_URL: sinkUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve(child);
    });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      setTimeout(() => {
        const id = String(req.headers['x-tickwatch-delivery']);
        raw.push(id);
        accepted.add(id);
        res.writeHead(200).end();
      }, SINK_DELAY_MS);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sink`;
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await new Promise((r) => server.close(r));
  await deleteKeys(client, `${prefix}:`);
  await client.quit();
});

describe('nothing lost, nothing twice (real Redis, worker killed mid-burst)', () => {
  it('GIVEN a delivery worker SIGKILLed in the middle of a burst and started again THEN every alert reaches every chat exactly once', async () => {
    const store = new RedisStore(client, { prefix });
    const queues = new BullQueueBackend(client, { prefix });
    const chats = Array.from({ length: CHATS }, (_, i) => ({ platform: 'fake', chatId: `c${i}`, chatType: 'private' as const }));
    const symbols = Array.from({ length: ALERTS }, (_, i) => `K${i}/USDT`);
    for (const chat of chats) for (const symbol of symbols) await store.putSubscription(makeSub({ chat, userId: chat.chatId, symbol }), { perUser: 1_000, perChat: 1_000 });
    // Producer only (like the engine process): no workers here.
    const producer = new DeliveryPipeline({ store, queues, limiter: new MemoryRateLimiter(), clock: systemClock, destinations: [], platforms: ['fake'], options: KILL_TEST_OPTIONS });
    const alerts = symbols.map((symbol, i) => makeAlert({ symbol, id: `kill-${i}`, ts: 1_900_000_000_000 + i }));
    const expected = new Set(alerts.flatMap((a) => chats.map((c) => alertDeliveryId(a.id, c))));

    const first = await startWorker();
    for (const a of alerts) await producer.sink.publish(a);
    await until(() => raw.length >= expected.size / 3, 'a third of the deliveries');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = accepted.size;
    expect(atKill).toBeLessThan(expected.size);

    await startWorker();
    await until(() => accepted.size === expected.size, 'every delivery after the restart', 60_000);
    await until(async () => (await producer.status()).every((q) => q.counts.waiting + q.counts.active + q.counts.delayed === 0), 'the queues to drain', 30_000);

    expect([...accepted].sort()).toEqual([...expected].sort());
    // Receipts and completed jobs stop repeats of finished work: only what was in flight at the
    // kill (at most the worker's concurrency) can reach the receiver a second time.
    expect(raw.length - accepted.size).toBeLessThanOrEqual(KILL_TEST_OPTIONS.deliver?.concurrency ?? 0);
    const receipts = await Promise.all([...expected].map((id) => store.getReceipt(id)));
    expect(receipts.every((r) => r !== null)).toBe(true);
    const status = await producer.status();
    expect(status.every((q) => q.counts.failed === 0)).toBe(true);
    await queues.close();
  });
});
