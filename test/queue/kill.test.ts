import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordNonce } from '../../src/bot/discord/destination.js';
import { alertDeliveryId } from '../../src/delivery/address.js';
import type { InDoubt } from '../../src/delivery/guarantees.js';
import { DeliveryPipeline } from '../../src/delivery/pipeline.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import type { ChatAddress } from '../../src/engine/ports/store.js';
import { BullQueueBackend } from '../../src/queue/bullmq.js';
import { MemoryRateLimiter } from '../../src/queue/rate-limit.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis.js';
import { FakeDiscord } from '../fakes/discord/index.js';
import { FakeTelegram } from '../fakes/telegram/index.js';
import { makeAlert, makeSub } from '../store/conformance.js';
import { deleteKeys, randomPrefix, TEST_REDIS_URL } from '../store/redis-env.js';
import { HoldingProxy, type Exchange } from './fixtures/holding-proxy.js';
import { KILL_TEST_OPTIONS, WEBHOOK_ROUTES } from './fixtures/kill-options.js';
import { until } from './wait.js';

const WORKER = fileURLToPath(new URL('./fixtures/delivery-worker.ts', import.meta.url));
const DISCORD_CHANNELS = 4;
const TELEGRAM_CHATS = 4;
const ALERTS = 30;
/** Every platform answers after this long, so that sends overlap and some are in flight. */
const ANSWER_DELAY_MS = 3;
/** Two worker start-ups (tsx), a stall recovery and 330 deliveries on a shared two-core machine. */
const KILL_TEST_TIMEOUT_MS = 180_000;
const CONCURRENCY = KILL_TEST_OPTIONS.deliver?.concurrency ?? 0;

const client = connectRedis({ url: TEST_REDIS_URL });
const prefix = randomPrefix('kill');
const children: ChildProcess[] = [];
/** What the worker processes wrote to stderr (delivery errors), shown when a wait times out. */
let workerLog = '';
let discord: FakeDiscord;
let telegram: FakeTelegram;
let sink: Server;
let proxies: { discord: HoldingProxy; telegram: HoldingProxy; webhook: HoldingProxy };

interface Worker {
  child: ChildProcess;
  inDoubt: InDoubt[];
}

function startWorker(): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: {
      ...process.env,
      TW_REDIS_URL: TEST_REDIS_URL,
      TW_PREFIX: prefix,
      TW_DISCORD_TOKEN: discord.token,
      TW_DISCORD_API: proxies.discord.url,
      TW_TELEGRAM_TOKEN: telegram.token,
      TW_TELEGRAM_API: proxies.telegram.url,
      TW_WEBHOOK_URL: proxies.webhook.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stderr?.on('data', (b: Buffer) => (workerLog += b.toString()));
  const w: Worker = { child, inDoubt: [] };
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    let buf = '';
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready') resolve(w);
        else if (line.startsWith('in-doubt ')) w.inDoubt.push(JSON.parse(line.slice('in-doubt '.length)) as InDoubt);
      }
    });
  });
}

beforeAll(async () => {
  discord = await FakeDiscord.start();
  telegram = new FakeTelegram();
  await telegram.start();
  sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  proxies = {
    discord: new HoldingProxy(discord.apiBase, ANSWER_DELAY_MS),
    telegram: new HoldingProxy(telegram.apiRoot, ANSWER_DELAY_MS),
    webhook: new HoldingProxy(`http://127.0.0.1:${(sink.address() as AddressInfo).port}/sink`, ANSWER_DELAY_MS),
  };
  for (const p of Object.values(proxies)) await p.start();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const p of Object.values(proxies)) await p.close();
  await discord.close();
  await telegram.close();
  await new Promise((r) => sink.close(r));
  await deleteKeys(client, `${prefix}:`);
  await client.quit();
});

const isSend = (platform: keyof typeof proxies) => (x: Exchange) =>
  x.method === 'POST' &&
  x.status === 200 &&
  (platform === 'discord' ? /\/channels\/\d+\/messages$/.test(x.path) : platform === 'telegram' ? /\/send(Message|Photo)$/.test(x.path) : true);

function count<T>(items: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

describe('nothing lost, nothing twice (real Redis, worker SIGKILLed mid-burst with sends in doubt)', () => {
  it('GIVEN a worker killed while every platform has accepted sends it never heard back about THEN after a restart Discord and webhooks get each delivery exactly once, and Telegram at least once with repeats only of the deliveries in doubt', async () => {
    const store = new RedisStore(client, { prefix });
    const queues = new BullQueueBackend(client, { prefix });
    const owner = discord.addUser('owner');
    const guild = discord.addGuild('Traders', owner);
    const chats = {
      discord: Array.from({ length: DISCORD_CHANNELS }, (_, i): ChatAddress => ({ platform: 'discord', chatId: discord.addChannel(guild, `alerts-${i}`).id, chatType: 'private' })),
      telegram: Array.from({ length: TELEGRAM_CHATS }, (_, i): ChatAddress => ({ platform: 'telegram', chatId: String(1_001 + i), chatType: 'private' })),
      webhook: WEBHOOK_ROUTES.map((r) => r.to),
    };
    const symbols = Array.from({ length: ALERTS }, (_, i) => `K${i}X/USDT`);
    for (const chat of [...chats.discord, ...chats.telegram]) {
      for (const symbol of symbols) await store.putSubscription(makeSub({ chat, userId: chat.chatId, symbol }), { perUser: 1_000, perChat: 1_000 });
    }
    // Producer only (like the engine process): no workers here.
    const producer = new DeliveryPipeline({
      store,
      queues,
      limiter: new MemoryRateLimiter(),
      clock: systemClock,
      destinations: [],
      platforms: ['discord', 'telegram', 'webhook'],
      routes: WEBHOOK_ROUTES,
      options: KILL_TEST_OPTIONS,
    });
    const alerts = symbols.map((symbol, i) => makeAlert({ symbol, id: `kill-${i}`, ts: 1_900_000_000_000 + i }));
    const expected = {
      discord: alerts.flatMap((a) => chats.discord.map((c) => alertDeliveryId(a.id, c))),
      telegram: alerts.flatMap((a) => chats.telegram.map((c) => alertDeliveryId(a.id, c))),
      webhook: alerts.flatMap((a) => chats.webhook.map((c) => alertDeliveryId(a.id, c))),
    };
    const all = [...expected.discord, ...expected.telegram, ...expected.webhook];
    /** A Telegram send's delivery: its chat, and the alert its text names. */
    const telegramDelivery = (p: Record<string, unknown>): string => {
      const i = Number(/\bK(\d+)X\/USDT/.exec(String(p['text'] ?? p['caption'] ?? ''))?.[1]);
      const a = alerts[i];
      if (!a) throw new Error(`a Telegram send that names no alert of the test: ${JSON.stringify(p)}`);
      return alertDeliveryId(a.id, { platform: 'telegram', chatId: String(p['chat_id']), chatType: 'private' });
    };
    // What each platform's request says about which delivery it carries.
    const byNonce = new Map(expected.discord.map((id) => [discordNonce(id), id]));
    const deliveryOf = {
      discord: (x: Exchange) => byNonce.get(String((JSON.parse(x.body.toString()) as { nonce?: unknown }).nonce)),
      telegram: (x: Exchange) => telegramDelivery(JSON.parse(x.body.toString()) as Record<string, unknown>),
      webhook: (x: Exchange) => String(x.headers['x-tickwatch-delivery']),
    };
    const platforms = ['discord', 'telegram', 'webhook'] as const;
    const sends = (p: (typeof platforms)[number]) => proxies[p].exchanges.filter(isSend(p));

    const first = await startWorker();
    for (const a of alerts) await producer.sink.publish(a);
    // Each platform, once a third of its deliveries are through, goes on accepting sends but its
    // answers are held back (each on its own, so that none has finished before the kill).
    const frozen = new Set<string>();
    await until(
      () => {
        for (const p of platforms) {
          if (!frozen.has(p) && sends(p).length >= expected[p].length / 3) {
            proxies[p].freeze();
            frozen.add(p);
          }
        }
        return frozen.size === platforms.length;
      },
      () => `a third of every platform's deliveries (${platforms.map((p) => `${p} ${sends(p).length}/${expected[p].length}`).join(', ')}); worker log:\n${workerLog.slice(-2_000)}`,
      30_000,
    );
    await until(() => platforms.every((p) => proxies[p].held.some(isSend(p))), 'an accepted, unanswered send on every platform');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    // The ledger: a marker without a receipt is a send in doubt; every accepted-but-unanswered send is one.
    const doubt = new Set<string>();
    for (const id of all) if ((await store.getAttempt(id)) && !(await store.getReceipt(id))) doubt.add(id);
    const doubtOf = (p: (typeof platforms)[number]) => expected[p].filter((id) => doubt.has(id));
    const accepted = Object.fromEntries(platforms.map((p) => [p, proxies[p].held.filter(isSend(p)).map(deliveryOf[p]) as string[]])) as Record<(typeof platforms)[number], string[]>;
    for (const p of platforms) {
      expect(accepted[p].length, `${p}: accepted sends left unanswered at the kill`).toBeGreaterThan(0);
      for (const id of accepted[p]) expect(doubt.has(id), `${p} delivery ${id} accepted before the kill is marked in doubt`).toBe(true);
      expect(doubtOf(p).length, `${p}: in doubt at most the worker's concurrency`).toBeLessThanOrEqual(CONCURRENCY);
    }
    for (const p of platforms) proxies[p].release();

    const second = await startWorker();
    await until(async () => (await Promise.all(all.map((id) => store.getReceipt(id)))).every((r) => r !== null), 'a receipt for every delivery after the restart', 60_000);
    await until(async () => (await producer.status()).every((q) => q.counts.waiting + q.counts.active + q.counts.delayed === 0), 'the queues to drain', 30_000);

    // The restarted worker found exactly the deliveries in doubt, and knew which ones its platform covers.
    expect(new Set(second.inDoubt.map((d) => d.deliveryId))).toEqual(doubt);
    for (const d of second.inDoubt) expect(d.covered, `${d.platform} covers a repeat of ${d.deliveryId}`).toBe(d.platform !== 'telegram');

    // Discord (nonce + enforce_nonce): exactly once. The repeats reached Discord and created nothing.
    const discordPosts = count(sends('discord').map(deliveryOf.discord));
    const messages = count(discord.messages.filter((m) => m.nonce !== undefined).map((m) => byNonce.get(String(m.nonce))));
    expect([...messages.keys()].sort()).toEqual([...expected.discord].sort());
    expect([...messages.values()].every((n) => n === 1)).toBe(true);
    for (const id of accepted.discord) expect(discordPosts.get(id), `Discord got ${id}, accepted before the kill, again`).toBeGreaterThanOrEqual(2);

    // Webhooks (delivery id header): exactly once for a receiver that honours the key; repeats carry it.
    const hookPosts = count(sends('webhook').map(deliveryOf.webhook));
    expect([...hookPosts.keys()].sort()).toEqual([...expected.webhook].sort());
    const hookRepeats = [...hookPosts].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of accepted.webhook) expect(hookRepeats, `webhook ${id}, accepted before the kill, came again`).toContain(id);
    for (const id of hookRepeats) expect(doubt.has(id), `webhook repeat ${id} was in doubt`).toBe(true);

    // Telegram (no idempotency key): at least once; a second message only for a delivery in doubt
    // at the kill, so at most the worker's concurrency of them.
    const tgMessages = count(telegram.sends().map((c) => telegramDelivery(c.params)));
    expect([...tgMessages.keys()].sort()).toEqual([...expected.telegram].sort());
    const tgTwice = [...tgMessages].filter(([, n]) => n > 1).map(([id]) => id);
    for (const id of accepted.telegram) expect(tgTwice, `Telegram ${id}, accepted before the kill, went out again`).toContain(id);
    expect(tgTwice.length).toBeLessThanOrEqual(CONCURRENCY);
    for (const id of tgTwice) expect(doubt.has(id), `Telegram repeat ${id} was in doubt`).toBe(true);
    expect([...tgMessages.values()].every((n) => n <= 2)).toBe(true);

    // Nothing is left in doubt or failed.
    expect((await Promise.all(all.map((id) => store.getAttempt(id)))).every((m) => m === null)).toBe(true);
    expect((await producer.status()).every((q) => q.counts.failed === 0)).toBe(true);
    await queues.close();
  }, KILL_TEST_TIMEOUT_MS);
});
