import { alphaForHalfLife, scoreFromZ, warmWeight } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { MIN_RETURN_STD, QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';

export interface VolRatioOptions {
  /** Half-life, in bars, of the short-horizon variance. */
  shortHalfLife: number;
  /** Half-life, in bars, of the long-horizon variance. */
  longHalfLife: number;
  minSamples: number;
}

/**
 * The long-run variance learns each squared return capped at this many long-run standard
 * deviations (squared). A burst (a pump, a crash) still reads against the calm before it, and it
 * does not inflate the yardstick so far that the ordinary market after it reads as "volatility at
 * 25% of its longer-run level" for the next ten minutes. 6 sigmas: ordinary returns are never
 * capped; a lasting rise in volatility is still learned, by up to 4% a bar (tenfold in ~60 bars).
 */
export const LONG_RUN_CAP_SIGMAS = 6;

export const VOLRATIO_DEFAULTS: VolRatioOptions = { shortHalfLife: 20, longHalfLife: 600, minSamples: 60 };

/**
 * Volatility regime change: the ratio of short-horizon to long-horizon dispersion of returns.
 * Under a stable regime ln(ratio) is roughly normal with variance 2 / n_short, where n_short is the
 * short average's effective sample size; the detector scores that z. Both a burst of volatility
 * and a market gone unusually still (a frozen feed, a halted book) score, but only the burst is
 * directional in effect; the sign is left 0.
 */
export class VolRatioDetector implements Detector {
  readonly name = 'volratio';
  private readonly aShort: number;
  private readonly aLong: number;
  private readonly nShort: number;
  private vShort = 0;
  private vLong = 0;
  private n = 0;
  private readonly out = new ResultSlot();

  constructor(private readonly opt: VolRatioOptions = VOLRATIO_DEFAULTS) {
    this.aShort = alphaForHalfLife(opt.shortHalfLife);
    this.aLong = alphaForHalfLife(opt.longHalfLife);
    this.nShort = (2 - this.aShort) / this.aShort;
  }

  ratio(): number {
    const floor = MIN_RETURN_STD * MIN_RETURN_STD;
    return Math.max(this.vShort, floor) / Math.max(this.vLong, floor);
  }

  update(bar: BarInput): DetectorResult {
    if (bar.first || bar.afterGap) return QUIET;
    const x2 = bar.ret * bar.ret;
    // Score with the long variance as it stood before this bar, the short one including it. Both
    // are plain means of the squared returns until they have seen as many bars as their half-life
    // weighs (warmWeight): an average started from the first bar alone
    // would stay near that one bar's square for hundreds of bars, and a stream whose first return
    // was tiny would read ordinary volatility as several times its long-run level.
    this.vShort += warmWeight(this.aShort, this.n) * (x2 - this.vShort);
    let result = QUIET;
    if (this.n >= this.opt.minSamples) {
      const r = this.ratio();
      const z = Math.log(r) / Math.sqrt(2 / this.nShort);
      result = this.out.set(scoreFromZ(z), 0, () =>
        r >= 1 ? `volatility ${r.toFixed(1)}x its longer-run level` : `volatility at ${(r * 100).toFixed(0)}% of its longer-run level`,
      );
    }
    const cap = this.n >= this.opt.minSamples ? LONG_RUN_CAP_SIGMAS * LONG_RUN_CAP_SIGMAS * this.vLong : Infinity;
    this.vLong += warmWeight(this.aLong, this.n) * (Math.min(x2, cap) - this.vLong);
    this.n++;
    return result;
  }

  byteSize(): number {
    return 64;
  }
}
