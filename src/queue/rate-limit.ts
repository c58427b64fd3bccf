import type { Rate, RateLimiter } from '../engine/ports/queue.js';
import { checkPrefix, LuaScripts, type RedisClient } from '../store/redis-client.js';

/** Entries of the in-memory limiter are swept after this many reservations. */
const SWEEP_EVERY = 10_000;
/** Sums of fractional intervals drift by float error; waits are rounded up past this much. */
const EPSILON_MS = 1e-6;

/**
 * GCRA (generic cell rate algorithm) with reservation: each key keeps one number, the theoretical
 * arrival time (TAT) of the next slot. `max` per `perMs` allows a burst of `max` and then one slot
 * every perMs / max. A reservation always moves the TAT, so callers told to wait get their own
 * slot in order instead of racing for the next free moment.
 */
export function gcraReserve(storedTat: number | undefined, rate: Rate, now: number): { tat: number; waitMs: number } {
  const interval = rate.perMs / rate.max;
  const tat = Math.max(storedTat ?? now, now) + interval;
  return { tat, waitMs: Math.max(0, Math.ceil(tat - rate.perMs - now - EPSILON_MS)) };
}

/** One process's limiter (embedded mode). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly tats = new Map<string, number>();
  private n = 0;

  async reserve(key: string, rate: Rate, now: number): Promise<number> {
    const r = gcraReserve(this.tats.get(key), rate, now);
    this.tats.set(key, r.tat);
    if (++this.n % SWEEP_EVERY === 0) for (const [k, t] of this.tats) if (t < now) this.tats.delete(k);
    return r.waitMs;
  }
}

/** KEYS: the key's TAT. ARGV: now, interval, period, epsilon. Returns the wait in ms. */
const RESERVE = `
local now = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
tat = tat + tonumber(ARGV[2])
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 1)
local wait = math.ceil(tat - tonumber(ARGV[3]) - now - tonumber(ARGV[4]))
if wait < 0 then wait = 0 end
return wait
`;

/** Shared by every worker process: the slot times live in Redis, one key per limited chat. */
export class RedisRateLimiter implements RateLimiter {
  private readonly scripts: LuaScripts<'reserve'>;
  private readonly prefix: string;

  constructor(client: RedisClient, prefix = 'tw') {
    this.prefix = checkPrefix(prefix);
    this.scripts = new LuaScripts(client, 'twrate', { reserve: { keys: 1, lua: RESERVE } });
  }

  async reserve(key: string, rate: Rate, now: number): Promise<number> {
    const r = await this.scripts.run('reserve', [`${this.prefix}:rl:${key}`], [now, rate.perMs / rate.max, rate.perMs, EPSILON_MS]);
    return Number(r);
  }
}
