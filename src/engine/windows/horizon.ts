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
