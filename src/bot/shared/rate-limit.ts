import type { CommandLimiter, CostClass } from '../../../commands/framework.js';

export interface BucketRate {
  /** Commands allowed at once after a quiet spell. */
  burst: number;
  /** Sustained commands per minute. */
  perMinute: number;
}

/**
 * Per-user command limits. A chart render costs real CPU, so `render` commands (chart, preview,
 * the Chart button) get a tighter bucket: a user cannot make the bot draw charts in a loop.
 */
export const COMMAND_RATE_LIMITS: Readonly<Record<CostClass, BucketRate>> = {
  light: { burst: 10, perMinute: 30 },
  render: { burst: 3, perMinute: 6 },
};

/** Idle buckets are forgotten once this many keys are tracked (a full bucket holds no state). */
const SWEEP_AT_KEYS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per (user, cost class), in process memory: a bot process limits the users it
 * serves. Each class has its own bucket, so that looking at `list` never uses up `chart`.
 */
export class CommandRateLimiter implements CommandLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly rates: Readonly<Record<CostClass, BucketRate>> = COMMAND_RATE_LIMITS) {}

  take(key: string, cost: CostClass, now: number): number {
    const rate = this.rates[cost];
    const perMs = rate.perMinute / 60_000;
    const id = `${cost}\u0000${key}`;
    let b = this.buckets.get(id);
    if (!b) {
      if (this.buckets.size >= SWEEP_AT_KEYS) this.sweep(now);
      b = { tokens: rate.burst, at: now };
      this.buckets.set(id, b);
    }
    b.tokens = Math.min(rate.burst, b.tokens + Math.max(0, now - b.at) * perMs);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perMs);
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [id, b] of this.buckets) {
      const rate = this.rates[id.slice(0, id.indexOf('\u0000')) as CostClass];
      if (b.tokens + (now - b.at) * (rate.perMinute / 60_000) >= rate.burst) this.buckets.delete(id);
    }
  }
}
