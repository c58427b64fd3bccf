import { afterAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../src/engine/ports/queue.js';
import { MemoryRateLimiter, RedisRateLimiter } from '../../src/queue/rate-limit.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { deleteKeys, randomPrefix, TEST_REDIS_URL } from '../store/redis-env.js';

const client = connectRedis({ url: TEST_REDIS_URL });
const prefix = randomPrefix('rate');
afterAll(async () => {
  await deleteKeys(client, `${prefix}:`);
  await client.quit();
});

const limiters: [string, RateLimiter][] = [
  ['memory', new MemoryRateLimiter()],
  ['redis', new RedisRateLimiter(client, prefix)],
];

describe.each(limiters)('rate limiter: %s', (_name, limiter) => {
  it('GIVEN Telegram\'s 1 message a second per chat THEN a burst of 4 gets slots 0, 1, 2 and 3 s away, in order', async () => {
    const rate = { max: 1, perMs: 1_000 };
    const t = 1_000_000;
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await limiter.reserve('telegram:1', rate, t));
    expect(waits).toEqual([0, 1_000, 2_000, 3_000]);
    expect(await limiter.reserve('telegram:2', rate, t)).toBe(0);
  });

  it('GIVEN Discord\'s 5 per 5 s per channel THEN 5 go at once and the next ones one second apart', async () => {
    const rate = { max: 5, perMs: 5_000 };
    const t = 2_000_000;
    const waits = [];
    for (let i = 0; i < 7; i++) waits.push(await limiter.reserve('discord:c', rate, t));
    expect(waits).toEqual([0, 0, 0, 0, 0, 1_000, 2_000]);
    // Time passing frees the slots again.
    expect(await limiter.reserve('discord:c', rate, t + 60_000)).toBe(0);
  });

  it('spaces a fractional rate (30 a second) without drifting', async () => {
    const rate = { max: 30, perMs: 1_000 };
    const t = 3_000_000;
    let last = 0;
    for (let i = 0; i < 90; i++) last = await limiter.reserve('telegram:all', rate, t);
    expect(last).toBe(2_000);
  });
});
