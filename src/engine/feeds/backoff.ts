/** Reconnect delays: exponential, capped, with jitter so that many clients do not retry in step. */
export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Largest delay. */
  maxMs: number;
  factor: number;
  /** Share of each delay that is random: 0.5 draws from [delay/2, delay]. */
  jitter: number;
  /** A connection that stayed up this long resets the delay to initialMs. */
  resetAfterMs: number;
}

export const BACKOFF_DEFAULTS: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
  resetAfterMs: 30_000,
});

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly opt: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call makes the following one longer. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.opt;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt++;
    return Math.round(base * (1 - jitter * this.random()));
  }

  /** Called when a connection closes after having been up for uptimeMs. */
  settle(uptimeMs: number): void {
    if (uptimeMs >= this.opt.resetAfterMs) this.attempt = 0;
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
