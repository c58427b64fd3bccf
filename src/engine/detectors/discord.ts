import { MAX_SURPRISE, alphaForHalfLife, scoreFromSurprise, warmWeight } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';

export interface DiscordOptions {
  /** Bars in the pattern compared: the last `length` levels. */
  length: number;
  /** How far back a matching pattern is looked for, in bars. */
  history: number;
  /** Distances seen before the detector speaks. */
  minSamples: number;
  /**
   * Half-life, in bars, of the running mean of nearest-neighbour distances once it is longer than
   * the stream's history (before, the mean weighs every distance equally).
   */
  halfLife: number;
}

/** Patterns of 32 bars (about 2.7 hours of 5-minute bars) against the last 1,500 bars (about five days). */
export const DISCORD_DEFAULTS: DiscordOptions = { length: 32, history: 1_500, minSamples: 30, halfLife: 20_000 };
/**
 * The same with patterns of 288 bars (a day of 5-minute bars): a daily cycle that skips its rise,
 * or a day shaped unlike any earlier day, is far from every earlier pattern only at this length.
 */
export const DISCORD_LONG_DEFAULTS: DiscordOptions = { length: 288, history: 1_500, minSamples: 30, halfLife: 20_000 };

/**
 * Squared distances below this share of the pattern's own energy are rounding noise: a series that
 * repeats exactly must not rank its rounding errors.
 */
const NOISE_FLOOR = 1e-12;
/** Floor of the usual distance, as a share of the pattern's root-mean-square level. */
const MIN_REL_SPREAD = 1e-6;

/**
 * A context detector: how unlike anything in the recent past the latest pattern is. The last
 * `length` levels are compared with every earlier run of `length` levels in the last `history`
 * bars (Euclidean distance, not overlapping the current one), and the distance to the nearest is
 * the anomaly: a spike, a level shift, a daily cycle that skips its usual rise, a flat stretch in
 * a busy series all leave the latest pattern far from every earlier one, while a pattern that has
 * happened before, however large, stays close to its precedent. This is the online form of a
 * time-series discord (the matrix profile of the newest subsequence).
 *
 * Cost per bar is O(history), not O(history x length): the dot products of every earlier window
 * with the newest one are updated from the previous bar's (the STAMPI recurrence
 * QT[s] = QT'[s-1] - T[s-1] T[c-1] + T[s+m-1] T[c+m-1]). Values are stored relative to the first
 * level seen, so a series far from zero does not lose its distances to cancellation.
 */
export class DiscordDetector implements Detector {
  /** Levels, dot products with the newest window, and window energies: rings indexed by bar number. */
  private readonly values: Float64Array;
  private readonly dots: Float64Array;
  private readonly energy: Float64Array;
  private readonly cap: number;
  private count = 0;
  private origin = NaN;
  /** Running mean of the distances, and how many it has seen. */
  private meanDist = 0;
  private seen = 0;
  private readonly minAlpha: number;
  private readonly out = new ResultSlot();

  constructor(
    private readonly opt: DiscordOptions = DISCORD_DEFAULTS,
    readonly name = 'discord',
  ) {
    if (!(opt.length >= 2) || !(opt.history > opt.length)) throw new RangeError(`discord: history (${opt.history}) must exceed length (${opt.length}) >= 2`);
    this.cap = opt.history + opt.length + 2;
    this.values = new Float64Array(this.cap);
    this.dots = new Float64Array(this.cap);
    this.energy = new Float64Array(this.cap);
    this.minAlpha = alphaForHalfLife(opt.halfLife);
  }

  /** Distance from the newest pattern to its nearest earlier one (NaN while too young); for tests. */
  lastDistance = NaN;

  update(bar: BarInput): DetectorResult {
    const level = bar.level;
    if (!Number.isFinite(level)) return QUIET;
    if (this.count === 0) this.origin = level;
    const C = this.cap;
    const m = this.opt.length;
    const T = this.values;
    const Q = this.dots;
    const E = this.energy;
    const t = this.count++;
    const x = level - this.origin;
    T[t % C] = x;
    const cur = t - m + 1;
    this.lastDistance = NaN;
    if (cur < 0) return QUIET;
    let ss = 0;
    for (let k = 0; k < m; k++) {
      const v = T[(cur + k) % C];
      ss += v * v;
    }
    E[cur % C] = ss;
    const lo = Math.max(0, cur - this.opt.history);
    const loPrev = Math.max(0, cur - 1 - this.opt.history);
    const last = cur - m;
    const a = cur >= 1 ? T[(cur - 1) % C] : 0;
    let best = Infinity;
    for (let s = cur - 1; s >= lo; s--) {
      let q: number;
      if (s >= 1 && s - 1 >= loPrev) {
        q = Q[(s - 1) % C] - T[(s - 1) % C] * a + T[(s + m - 1) % C] * x;
      } else {
        q = 0;
        for (let k = 0; k < m; k++) q += T[(s + k) % C] * T[(cur + k) % C];
      }
      Q[s % C] = q;
      if (s <= last) {
        const d2 = E[s % C] + ss - 2 * q;
        if (d2 < best) best = d2;
      }
    }
    // Too few earlier patterns yet: the nearest of a handful says little.
    if (last - lo + 1 < this.opt.minSamples) return QUIET;
    const d = Math.sqrt(Math.max(best, NOISE_FLOOR * ss));
    this.lastDistance = d;
    let result = QUIET;
    if (this.seen >= this.opt.minSamples) {
      // Distances are positive and right-skewed: read d against an exponential with the running
      // mean, P(D > d) = e^(-d / mean). The mean moves slowly (all of history, then a long
      // half-life), so the reading ranks bars the way their distances rank; one anomaly does not
      // inflate the yardstick the way it would a standard deviation.
      const ratio = d / Math.max(this.meanDist, MIN_REL_SPREAD * Math.sqrt(ss / m), Number.MIN_VALUE);
      const s = Math.min(MAX_SURPRISE, ratio * Math.LOG10E);
      result = this.out.setBoth(scoreFromSurprise(s), s, 0, () => `the last ${m} bars are ${ratio.toFixed(1)}x farther from every earlier pattern than usual`);
    }
    this.meanDist += warmWeight(this.minAlpha, this.seen) * (d - this.meanDist);
    this.seen++;
    return result;
  }

  byteSize(): number {
    return this.values.byteLength + this.dots.byteLength + this.energy.byteLength + 96;
  }
}
