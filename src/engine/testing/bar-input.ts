import { FEATURE_COUNT, type BarInput } from '../detectors/detector.js';
import { BarRing } from '../windows/bar-ring.js';

/** A BarInput for detector unit tests: one bar with the given return and activity. */
export function barInput(ret: number, extra: Partial<BarInput> = {}): BarInput {
  return {
    ring: new BarRing(2, 1000),
    slot: 0,
    ts: 0,
    close: 100,
    trades: 5,
    buyVolume: 1,
    sellVolume: 1,
    maxSameMs: 1,
    logReturn: ret,
    dtBars: 1,
    ret,
    level: Math.log(100),
    afterGap: false,
    first: false,
    features: new Float64Array(FEATURE_COUNT),
    featuresReady: false,
    ...extra,
  };
}
