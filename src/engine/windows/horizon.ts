import { EwStats, alphaForHalfLife } from '../core/math.js';
import type { BarRing } from './bar-ring.js';

/**
 * Each return is learned capped at this many of the spread's standard deviations (once it has a
 * few): a pump's or a crash's returns are tens of them, and would otherwise hold the spread, and
 * so the yardstick, wide for the hours its half-life lasts.
 */
export const HORIZON_CAP_SIGMAS = 10;
/** Returns learned before the cap applies. */
const CAP_AFTER = 30;

/**
 * The spread of a stream's returns over one horizon: one return a bar (its close against the
 * newest bar at least the horizon older, never across a data gap), overlapping, so that a horizon's
 * worth of them is one independent reading. Trusted once its samples span `minSpanMs`; read
 * inflated by `margin`, because the alert rules take the smaller of several yardsticks and an
 * estimate low by chance would otherwise win where they agree. Returns are capped at
 * HORIZON_CAP_SIGMAS.
 */
export class HorizonSpread {
  private readonly stats: EwStats;
  /** Bar index (the stream's bar count) of the bar the latest return was measured from. */
  private base = 0;
  /** Time of the first return learned. */
  private since = NaN;

  constructor(
    readonly horizonMs: number,
    halfLifeBars: number,
    private readonly minSpanMs: number,
    private readonly margin: number,
  ) {
    this.stats = new EwStats(alphaForHalfLife(halfLifeBars));
  }

  /** The spread at time `ts` (inflated by the margin, at least `floor`); 0 while not trusted. */
  spread(ts: number, floor: number): number {
    return ts - this.since >= this.minSpanMs ? this.margin * Math.max(this.stats.std, floor) : 0;
  }

  /** A variance `v` read on the same scale as `spread` (inflated by the margin). */
  scaled(v: number): number {
    return this.margin * Math.sqrt(v);
  }

  /**
   * Learns the return of the newest bar of `ring` (bar index `newest`, at `ts`), its closes read
   * from `closes` by slot. `diff` is the stream's return of two closes.
   */
  learn(ring: BarRing, closes: ArrayLike<number>, newest: number, ts: number, gapTs: number, diff: (a: number, b: number) => number): void {
    // The base only moves on: it is found from where it was last time.
    const target = ts - this.horizonMs;
    const at = (i: number) => ring.slot(newest - i);
    let i = Math.max(this.base, newest - ring.length + 1);
    if (i >= newest || ring.ts[at(i)] > target) return;
    while (i + 1 < newest && ring.ts[at(i + 1)] <= target) i++;
    this.base = i;
    const s = at(i);
    if (ring.ts[s] < gapTs) return;
    const st = this.stats;
    let x = diff(closes[ring.slot(0)], closes[s]);
    if (st.n >= CAP_AFTER) {
      const cap = HORIZON_CAP_SIGMAS * st.std;
      x = Math.min(st.mean + cap, Math.max(st.mean - cap, x));
    }
    st.update(x);
    if (this.since !== this.since) this.since = ts;
  }
}

/** Pairs of consecutive returns learned before the bounce estimate is used. */
const BOUNCE_MIN_PAIRS = 200;

/**
 * Bid-ask bounce, by Roll's estimator (R. Roll, "A Simple Implicit Measure of the Effective
 * Bid-Ask Spread", Journal of Finance 1984): where trades print at the bid or the ask at random,
 * consecutive price changes covary negatively, cov = -c^2 for a half-spread c, and every return
 * between two times carries 2c^2 of variance that does not grow with the time between them. The
 * horizon yardstick scales only the rest by the square root of time (`yardstick`'s `bounce`),
 * so a climb over minutes on a coarse-tick alt is measured in what the market does in minutes, not
 * in its bounce scaled up. Returns are of consecutive bars that traded (settled closes), each
 * capped at HORIZON_CAP_SIGMAS of their spread; a trend's runs of same-sign returns only lower the
 * estimate, which errs to the side of the plain square-root rule.
 */
export class BidAskBounce {
  /** Decayed mean of the product of consecutive returns, and of the squared returns. */
  private readonly cross: EwStats;
  private readonly sq: EwStats;
  private prev = NaN;

  constructor(halfLifeBars: number) {
    const a = alphaForHalfLife(halfLifeBars);
    this.cross = new EwStats(a);
    this.sq = new EwStats(a);
  }

  /** Learns the return of the newest bar; `NaN` (a gap, the first bar) breaks the chain. */
  learn(r: number): void {
    if (r !== r) {
      this.prev = NaN;
      return;
    }
    if (this.sq.n >= CAP_AFTER) {
      const cap = HORIZON_CAP_SIGMAS * Math.sqrt(this.sq.mean);
      r = Math.min(cap, Math.max(-cap, r));
    }
    this.sq.update(r * r);
    if (this.prev === this.prev) this.cross.update(r * this.prev);
    this.prev = r;
  }

  /** The bounce's variance in one return (2c^2); 0 until trusted or where returns do not revert. */
  get variance(): number {
    return this.cross.n >= BOUNCE_MIN_PAIRS ? Math.max(0, -2 * this.cross.mean) : 0;
  }
}
