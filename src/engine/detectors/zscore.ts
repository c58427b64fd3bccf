import { scoreFromZ, signOf } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { MIN_RETURN_STD, QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';

export interface ZScoreOptions {
  /** Returns in the rolling window. */
  window: number;
  /** Returns needed before the detector speaks. */
  minSamples: number;
  /** Floor of the standard deviation (same unit as returns). */
  minStd: number;
}

export const ZSCORE_DEFAULTS: ZScoreOptions = { window: 300, minSamples: 30, minStd: MIN_RETURN_STD };

/**
 * Rolling z-score of per-bar returns: how many standard deviations this bar's return lies from the
 * mean of the previous `window` returns. Exact window sums, recomputed every `window` updates to
 * keep floating-point drift out.
 */
export class ZScoreDetector implements Detector {
  readonly name = 'zscore';
  private readonly buf: Float64Array;
  private head = 0;
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceRecompute = 0;
  private readonly out = new ResultSlot();

  constructor(private readonly opt: ZScoreOptions = ZSCORE_DEFAULTS) {
    this.buf = new Float64Array(opt.window);
  }

  /** Mean and sample standard deviation of the window (for tests and explanations). */
  moments(): { mean: number; std: number; n: number } {
    const n = this.n;
    if (n === 0) return { mean: NaN, std: NaN, n };
    const mean = this.sum / n;
    const v = n > 1 ? Math.max(0, (this.sumSq - n * mean * mean) / (n - 1)) : 0;
    return { mean, std: Math.sqrt(v), n };
  }

  update(bar: BarInput): DetectorResult {
    if (bar.first || bar.afterGap) return QUIET;
    const x = bar.ret;
    let result = QUIET;
    if (this.n >= this.opt.minSamples) {
      const n = this.n;
      const mean = this.sum / n;
      const v = Math.max(0, (this.sumSq - n * mean * mean) / (n - 1));
      const sd = Math.max(Math.sqrt(v), this.opt.minStd);
      const z = (x - mean) / sd;
      result = this.out.set(scoreFromZ(z), signOf(z), () => `return ${z.toFixed(1)}σ from the mean of the last ${n} bars`);
    }
    this.push(x);
    return result;
  }

  private push(x: number): void {
    const w = this.opt.window;
    if (this.n === w) {
      const old = this.buf[this.head];
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.n++;
    }
    this.buf[this.head] = x;
    this.sum += x;
    this.sumSq += x * x;
    this.head = this.head + 1 === w ? 0 : this.head + 1;
    if (++this.sinceRecompute >= w) {
      this.sinceRecompute = 0;
      let s = 0;
      let q = 0;
      for (let i = 0; i < this.n; i++) {
        s += this.buf[i];
        q += this.buf[i] * this.buf[i];
      }
      this.sum = s;
      this.sumSq = q;
    }
  }

  byteSize(): number {
    return this.buf.byteLength + 64;
  }
}
