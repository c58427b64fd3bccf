import { signOf } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { MIN_RETURN_STD, QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';
import { RollingMoments } from './rolling.js';

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
 * mean of the previous `window` returns (exact window sums, RollingMoments).
 */
export class ZScoreDetector implements Detector {
  readonly name = 'zscore';
  private readonly win: RollingMoments;
  private readonly out = new ResultSlot();

  constructor(private readonly opt: ZScoreOptions = ZSCORE_DEFAULTS) {
    this.win = new RollingMoments(opt.window);
  }

  /** Mean and sample standard deviation of the window (for tests and explanations). */
  moments(): { mean: number; std: number; n: number } {
    const w = this.win;
    return { mean: w.mean, std: w.n > 0 ? w.std : NaN, n: w.n };
  }

  update(bar: BarInput): DetectorResult {
    if (bar.first || bar.afterGap) return QUIET;
    const x = bar.ret;
    const w = this.win;
    let result = QUIET;
    if (w.n >= this.opt.minSamples) {
      const n = w.n;
      const z = (x - w.mean) / Math.max(w.std, this.opt.minStd);
      result = this.out.setZ(z, signOf(z), () => `return ${z.toFixed(1)}σ from the mean of the last ${n} bars`);
    }
    w.push(x);
    return result;
  }

  byteSize(): number {
    return this.win.byteSize() + 8;
  }
}
