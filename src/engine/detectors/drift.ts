import { scoreFromZ, signOf } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import { QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';

/**
 * Drift: the return over the last 5 and 30 bars in units of the stream's spread of returns over
 * the time it covers (the feature vector's `ret5` and `ret30`; the smaller of the per-bar spread
 * scaled to that time and the measured 30-s spread, so that bid-ask bounce does not inflate it). A
 * pump that climbs steadily, each bar only a little above the norm, is invisible to per-bar tests
 * but stands many standard deviations out over half a minute.
 */
export class DriftDetector implements Detector {
  readonly name = 'drift';
  private readonly out = new ResultSlot();

  update(bar: BarInput): DetectorResult {
    if (!bar.featuresReady) return QUIET;
    const z5 = bar.features[1];
    const z30 = bar.features[2];
    const z = Math.abs(z30) >= Math.abs(z5) ? z30 : z5;
    const bars = z === z30 ? 30 : 5;
    return this.out.set(scoreFromZ(z), signOf(z), () => `moved ${Math.abs(z).toFixed(1)}σ ${z >= 0 ? 'up' : 'down'} over the last ${bars} bars`);
  }

  byteSize(): number {
    return 32;
  }
}
