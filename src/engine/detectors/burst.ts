import { EwStats, alphaForHalfLife, signOf, upperTail, scoreFromTail } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';

export interface BurstOptions {
  /** Half-life, in bars, of the baseline of trade counts. */
  halfLife: number;
  minSamples: number;
  /** Buy/sell imbalance beyond which the burst's side names its direction. */
  imbalance: number;
}

export const BURST_DEFAULTS: BurstOptions = { halfLife: 300, minSamples: 60, imbalance: 0.2 };

/** Smallest spread of log trade counts used as a z denominator. */
const MIN_LOG_COUNT_STD = 0.25;

/**
 * Trade-burst ("rush order") intensity: how far this bar's trade count, and its largest cluster of
 * trades sharing one millisecond (one market order sweeping the book), stand above the stream's
 * own baseline. In pump-and-dump studies this is the strongest single early signal. One-sided:
 * a quiet bar is not a burst.
 */
export class BurstDetector implements Detector {
  readonly name = 'burst';
  private readonly count: EwStats;
  private readonly sameMs: EwStats;
  private readonly out = new ResultSlot();

  constructor(private readonly opt: BurstOptions = BURST_DEFAULTS) {
    const a = alphaForHalfLife(opt.halfLife);
    this.count = new EwStats(a);
    this.sameMs = new EwStats(a);
  }

  update(bar: BarInput): DetectorResult {
    const c = Math.log1p(bar.trades);
    const m = Math.log1p(bar.maxSameMs);
    let result = QUIET;
    if (this.count.n >= this.opt.minSamples) {
      const zc = this.count.z(c, MIN_LOG_COUNT_STD);
      const zm = this.sameMs.z(m, MIN_LOG_COUNT_STD);
      const z = Math.max(zc, zm);
      if (z > 0) {
        const tot = bar.buyVolume + bar.sellVolume;
        const imb = tot > 0 ? (bar.buyVolume - bar.sellVolume) / tot : 0;
        const sign = Math.abs(imb) >= this.opt.imbalance ? signOf(imb) : signOf(bar.logReturn);
        const base = Math.expm1(this.count.mean);
        const { trades, maxSameMs } = bar;
        result = this.out.set(scoreFromTail(upperTail(z)), sign, () => {
          const what = zm > zc ? `${maxSameMs} trades in one millisecond` : `${trades} trades, ${(trades / Math.max(base, 1)).toFixed(1)}x the usual`;
          return `${what}${tot > 0 ? `, ${Math.round(((imb + 1) / 2) * 100)}% buys` : ''}`;
        });
      }
    }
    this.count.update(c);
    this.sameMs.update(m);
    return result;
  }

  byteSize(): number {
    return 96;
  }
}
