import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/engine/ports/clock.js';
import { DeliveryPipeline } from '../../src/delivery/pipeline.js';
import { BullQueueBackend } from '../../src/queue/bullmq.js';
import { RedisRateLimiter } from '../../src/queue/rate-limit.js';
import { connectRedis, type RedisClient } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis.js';
import { FakeDestination } from '../delivery/fakes.js';
import { makeAlert, makeSub } from '../store/conformance.js';
import { startRedisServer, type TestRedisServer } from '../store/redis-servers.js';
import { until } from './wait.js';

// A redis-server of this test's own (AOF on, random port), so that restarting it disturbs no one.
let redis: TestRedisServer;
let client: RedisClient;

async function runId(c: RedisClient): Promise<string> {
  return /run_id:(\w+)/.exec(await c.info('server'))?.[1] ?? '';
}

beforeAll(async () => {
  redis = await startRedisServer();
  client = connectRedis({ url: redis.url });
  // Connection errors while the server is down are expected; ioredis reconnects by itself.
  client.on('error', () => {});
});
afterAll(async () => {
  client.disconnect();
  await redis.destroy();
});

describe('Redis restarting under a running app', () => {
  it('GIVEN Redis restarts mid-run THEN the app reconnects, an alert published while it was down is delivered, and state survives through AOF', async () => {
    const prefix = 'tw';
    const store = new RedisStore(client, { prefix });
    const queues = new BullQueueBackend(client, { prefix, onError: () => {} });
    const fake = new FakeDestination('telegram');
    const pipeline = new DeliveryPipeline({
      store,
      queues,
      limiter: new RedisRateLimiter(client, prefix),
      clock: systemClock,
      destinations: [fake],
      onError: () => {},
      options: { burstWindowMs: 0, rates: {}, deliver: { attempts: 10, backoffMs: 100, concurrency: 4 } },
    });
    pipeline.start();
    const sub = makeSub({ userId: 'a', chat: { platform: 'telegram', chatId: 'a' }, quiet: { start: '22:00', end: '07:00', timeZone: 'UTC' } });
    await store.putSubscription(sub, { perUser: 10, perChat: 10 });
    const before = makeAlert({ id: 'restart-1', ts: 1_900_000_000_000, score: 0.9999, change: { pct: 9, windowMs: 60_000, fromPrice: 1, fromTs: 0 } });
    await pipeline.sink.publish(before);
    await until(() => fake.sent.length === 1, 'the first delivery');

    const serverBefore = await runId(client);
    await redis.stop();
    const during = { ...before, id: 'restart-2', ts: before.ts + 60_000 };
    // The engine's publish does not fail while Redis is away: the command waits for the reconnect.
    const published = pipeline.sink.publish(during);
    await redis.restart();
    await published;
    await until(() => fake.sent.length === 2, 'the delivery of the alert published while Redis was down', 30_000);

    expect(fake.sent.map((m) => m.alerts[0]?.id)).toEqual(['restart-1', 'restart-2']);
    expect(await store.getSubscription(sub.id)).toEqual(sub);
    expect((await store.recentAlerts('BTC/USDT', 10)).map((a) => a.id)).toEqual(['restart-2', 'restart-1']);
    expect(await runId(client)).not.toBe(serverBefore);
    await pipeline.close();
    await queues.close();
  });
});
