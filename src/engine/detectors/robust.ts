import { signOf } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { MIN_RETURN_STD, QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';
import { SortedWindow } from './sorted-window.js';

export interface RobustOptions {
  window: number;
  minSamples: number;
  minStd: number;
}

export const ROBUST_DEFAULTS: RobustOptions = { window: 300, minSamples: 30, minStd: MIN_RETURN_STD };

/** MAD of a normal sample times this is its standard deviation. */
const MAD_TO_STD = 1.4826;
/** IQR of a normal sample divided by this is its standard deviation. */
const IQR_TO_STD = 1.349;
/** Below this IQR distance the result is already small, and the MAD is not computed. */
const MAD_CHECK_Z = 2;

/**
 * Robust outlier test on returns: distance from the window's median in units of its median absolute
 * deviation and of its interquartile range. Fat tails and a few past spikes barely move either
 * spread, unlike a standard deviation. The smaller of the two distances is used, so a window
 * where one spread collapses (many zero returns) does not fire on every tick of movement.
 */
export class RobustDetector implements Detector {
  readonly name = 'robust';
  private readonly win: SortedWindow;
  private readonly out = new ResultSlot();

  constructor(private readonly opt: RobustOptions = ROBUST_DEFAULTS) {
    this.win = new SortedWindow(opt.window);
  }

  stats(): { median: number; mad: number; q1: number; q3: number; n: number } {
    const w = this.win;
    return { median: w.quantile(0.5), mad: w.medianAbsoluteDeviation(), q1: w.quantile(0.25), q3: w.quantile(0.75), n: w.length };
  }

  update(bar: BarInput): DetectorResult {
    if (bar.first || bar.afterGap) return QUIET;
    const x = bar.ret;
    let result = QUIET;
    if (this.win.length >= this.opt.minSamples) {
      const med = this.win.quantile(0.5);
      const iqr = this.win.quantile(0.75) - this.win.quantile(0.25);
      const zIqr = (x - med) / Math.max(iqr / IQR_TO_STD, this.opt.minStd);
      let z = zIqr;
      // The MAD costs O(n); the smaller distance is used, so it only matters when the IQR one is large.
      if (Math.abs(zIqr) >= MAD_CHECK_Z) {
        const mad = this.win.medianAbsoluteDeviation();
        const zMad = (x - med) / Math.max(mad * MAD_TO_STD, this.opt.minStd);
        if (Math.abs(zMad) < Math.abs(zIqr)) z = zMad;
      }
      result = this.out.setZ(z, signOf(z), () => `return ${Math.abs(z).toFixed(1)} robust σ ${z >= 0 ? 'above' : 'below'} the median`);
    }
    this.win.push(x);
    return result;
  }

  byteSize(): number {
    return this.win.byteSize() + 32;
  }
}
