import type { CalibratorOptions } from './detectors/calibrator.js';
import { CALIBRATOR_DEFAULTS } from './detectors/calibrator.js';
import { BURST_DEFAULTS, type BurstOptions } from './detectors/burst.js';
import type { EnsembleOptions } from './detectors/ensemble.js';
import { IFOREST_DETECTOR_DEFAULTS, type IForestDetectorOptions } from './detectors/learned.js';
import { OCSVM_DEFAULTS, type OcSvmOptions } from './detectors/ocsvm.js';
import { ROBUST_DEFAULTS, type RobustOptions } from './detectors/robust.js';
import { VOLRATIO_DEFAULTS, type VolRatioOptions } from './detectors/volratio.js';
import { ZSCORE_DEFAULTS, type ZScoreOptions } from './detectors/zscore.js';

export const DETECTOR_NAMES = ['zscore', 'robust', 'volratio', 'burst', 'drift', 'iforest', 'ocsvm'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
/** The detectors that need no model: the cheap path. */
export const STATISTICAL_DETECTORS: readonly DetectorName[] = ['zscore', 'robust', 'volratio', 'burst', 'drift'];

/**
 * Everything the engine's numbers depend on, with the defaults documented once here.
 */
export interface EngineOptions {
  /** Short bars: the resolution the detectors run at. Default 1 s. */
  shortBarMs: number;
  /** Short bars kept per stream. Default 900 (15 minutes of 1-second bars). */
  shortBars: number;
  /** Long bars. Default 1 minute. */
  longBarMs: number;
  /** Long bars kept per stream. Default 1,440 (24 hours of 1-minute bars). */
  longBars: number;
  /** A bar stays open this long past its end for late ticks. Default 250 ms. */
  lateTickGraceMs: number;
  /**
   * A silence longer than this, and longer than GAP_TYPICAL_MULTIPLE times the stream's usual spacing
   * between bars, is a gap in the data: the jump across it is not evidence. Default 60 s.
   */
  gapMs: number;
  /** Bars a stream must have seen before it may alert. Default 120. */
  warmupBars: number;
  /** 'log' for prices (log returns); 'diff' for series that may be zero or negative. */
  returns: 'log' | 'diff';
  /** An anomaly found in backfilled data alerts (marked late) only if it is at most this old. Default 15 min. */
  lateAlertMaxAgeMs: number;
  /** Trade ids remembered per stream to drop repeated trades. Default 32. */
  dedupIds: number;
  /** Detectors to run, by name. */
  detectors: readonly DetectorName[];
  zscore: ZScoreOptions;
  robust: RobustOptions;
  volratio: VolRatioOptions;
  burst: BurstOptions;
  iforest: IForestDetectorOptions;
  ocsvm: OcSvmOptions;
  ensemble: Omit<EnsembleOptions, 'calibrator'>;
  calibrator: CalibratorOptions;
}

/** A silence counts as a gap only when it is also this many times the stream's usual bar spacing. */
export const GAP_TYPICAL_MULTIPLE = 20;

export const ENGINE_DEFAULTS: Readonly<EngineOptions> = Object.freeze({
  shortBarMs: 1_000,
  shortBars: 900,
  longBarMs: 60_000,
  longBars: 1_440,
  lateTickGraceMs: 250,
  gapMs: 60_000,
  warmupBars: 120,
  returns: 'log',
  lateAlertMaxAgeMs: 15 * 60_000,
  dedupIds: 32,
  detectors: DETECTOR_NAMES,
  zscore: ZSCORE_DEFAULTS,
  robust: ROBUST_DEFAULTS,
  volratio: VOLRATIO_DEFAULTS,
  burst: BURST_DEFAULTS,
  iforest: IFOREST_DETECTOR_DEFAULTS,
  ocsvm: OCSVM_DEFAULTS,
  ensemble: { fireScore: 0.99, weights: {}, agreementBonus: 0.5 },
  calibrator: CALIBRATOR_DEFAULTS,
});

export type EngineOptionsInput = Partial<Omit<EngineOptions, 'zscore' | 'robust' | 'volratio' | 'burst' | 'iforest' | 'ocsvm' | 'ensemble' | 'calibrator'>> & {
  zscore?: Partial<ZScoreOptions>;
  robust?: Partial<RobustOptions>;
  volratio?: Partial<VolRatioOptions>;
  burst?: Partial<BurstOptions>;
  iforest?: Partial<IForestDetectorOptions>;
  ocsvm?: Partial<OcSvmOptions>;
  ensemble?: Partial<EngineOptions['ensemble']>;
  calibrator?: Partial<CalibratorOptions>;
};

export function engineOptions(input: EngineOptionsInput = {}): EngineOptions {
  const d = ENGINE_DEFAULTS;
  const o: EngineOptions = {
    ...d,
    ...input,
    zscore: { ...d.zscore, ...input.zscore },
    robust: { ...d.robust, ...input.robust },
    volratio: { ...d.volratio, ...input.volratio },
    burst: { ...d.burst, ...input.burst },
    iforest: { ...d.iforest, ...input.iforest },
    ocsvm: { ...d.ocsvm, ...input.ocsvm },
    ensemble: { ...d.ensemble, ...input.ensemble },
    calibrator: { ...d.calibrator, ...input.calibrator },
  };
  if (!(o.shortBarMs > 0) || !(o.longBarMs >= o.shortBarMs) || o.longBarMs % o.shortBarMs !== 0) {
    throw new RangeError(`longBarMs (${o.longBarMs}) must be a multiple of shortBarMs (${o.shortBarMs})`);
  }
  for (const n of o.detectors) if (!DETECTOR_NAMES.includes(n)) throw new RangeError(`unknown detector ${n}; known: ${DETECTOR_NAMES.join(', ')}`);
  return Object.freeze(o);
}
