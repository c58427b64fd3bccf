import { signOf } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';
import { RollingMoments } from './rolling.js';

export interface LevelOptions {
  /** Bars in the rolling window the level is compared with. */
  window: number;
  /** Bars needed before the detector speaks. */
  minSamples: number;
  /** Floor of the spread, as a share of the window's mean magnitude (a flat line is not infinitely calm). */
  minRelStd: number;
}

export const LEVEL_DEFAULTS: LevelOptions = { window: 1_000, minSamples: 30, minRelStd: 1e-9 };

/** Absolute floor of the spread, for series that sit at zero. */
const MIN_ABS_STD = 1e-12;

/**
 * The bar's level (the value for series, the log price for prices) against the mean and standard
 * deviation of the last `window` levels. A detector on differences sees only the first bar of a
 * level shift or a plateau; this one keeps seeing it until the window has absorbed it, and it sees
 * slow departures that no single difference shows.
 */
export class LevelDetector implements Detector {
  readonly name = 'level';
  private readonly win: RollingMoments;
  private readonly out = new ResultSlot();

  constructor(private readonly opt: LevelOptions = LEVEL_DEFAULTS) {
    this.win = new RollingMoments(opt.window);
  }

  moments(): { mean: number; std: number; n: number } {
    return { mean: this.win.mean, std: this.win.std, n: this.win.n };
  }

  update(bar: BarInput): DetectorResult {
    const x = bar.level;
    if (!Number.isFinite(x)) return QUIET;
    const w = this.win;
    let result = QUIET;
    if (w.n >= this.opt.minSamples) {
      const mean = w.mean;
      const z = (x - mean) / Math.max(w.std, this.opt.minRelStd * Math.abs(mean), MIN_ABS_STD);
      const n = w.n;
      result = this.out.setZ(z, signOf(z), () => `level ${Math.abs(z).toFixed(1)}σ ${z >= 0 ? 'above' : 'below'} the mean of the last ${n} bars`);
    }
    w.push(x);
    return result;
  }

  byteSize(): number {
    return this.win.byteSize() + 16;
  }
}
