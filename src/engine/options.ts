import type { CalibratorOptions } from './detectors/calibrator.js';
import { CALIBRATOR_DEFAULTS } from './detectors/calibrator.js';
import { BURST_DEFAULTS, type BurstOptions } from './detectors/burst.js';
import type { EnsembleOptions } from './detectors/ensemble.js';
import { DISCORD_DEFAULTS, DISCORD_LONG_DEFAULTS, type DiscordOptions } from './detectors/discord.js';
import { IFOREST_DETECTOR_DEFAULTS, type IForestDetectorOptions } from './detectors/learned.js';
import { LEVEL_DEFAULTS, type LevelOptions } from './detectors/level.js';
import { OCSVM_DEFAULTS, type OcSvmOptions } from './detectors/ocsvm.js';
import { ROBUST_DEFAULTS, type RobustOptions } from './detectors/robust.js';
import { VOLRATIO_DEFAULTS, type VolRatioOptions } from './detectors/volratio.js';
import { ZSCORE_DEFAULTS, type ZScoreOptions } from './detectors/zscore.js';

export const DETECTOR_NAMES = ['zscore', 'robust', 'volratio', 'burst', 'drift', 'iforest', 'ocsvm', 'level', 'discord', 'discord-long'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];
/** The detectors that need no model: the cheap path. */
export const STATISTICAL_DETECTORS: readonly DetectorName[] = ['zscore', 'robust', 'volratio', 'burst', 'drift'];
/** The default detectors on prices (trades, klines). */
export const PRICE_DETECTORS: readonly DetectorName[] = ['zscore', 'robust', 'volratio', 'burst', 'drift', 'iforest', 'ocsvm'];
/**
 * The default detectors on series that are not prices (`returns: 'diff'`): differences, the level,
 * and the pattern at two lengths. Volume, trade-count and the learned return models see nothing in a series, and
 * measured on NAB each of them lowers the ensemble (docs/eval.md).
 */
export const SERIES_DETECTORS: readonly DetectorName[] = ['zscore', 'level', 'discord', 'discord-long'];

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
  /**
   * A stream that trades rarely may alert sooner: once it has seen WARMUP_MIN_BARS bars over at
   * least this long. Default 10 minutes (at a trade every 30 s, 120 bars took an hour).
   */
  warmupMs: number;
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
  level: LevelOptions;
  discord: DiscordOptions;
  /** The `discord-long` detector: the same detector on longer patterns. */
  discordLong: DiscordOptions;
  ensemble: Omit<EnsembleOptions, 'calibrator'>;
  calibrator: CalibratorOptions;
}

/** Fewest bars a stream is ever warm with (see `warmupMs`). */
export const WARMUP_MIN_BARS = 30;

/** A silence counts as a gap only when it is also this many times the stream's usual bar spacing. */
export const GAP_TYPICAL_MULTIPLE = 20;
/** Half-life, in bars, of a stream's usual spacing between bars (for the gap rule). */
export const GAP_SPACING_HALF_LIFE = 100;

/**
 * The gap rule: the bar at `ts` after the one at `prevTs` comes after a gap in the data when the
 * silence between them is longer than `gapMs` and the spacing (`dtBars`) is more than
 * GAP_TYPICAL_MULTIPLE times the stream's usual one (`usualBars`).
 */
export function isDataGap(prevTs: number, ts: number, dtBars: number, usualBars: number, o: Pick<EngineOptions, 'shortBarMs' | 'gapMs'>): boolean {
  return ts - prevTs - o.shortBarMs > o.gapMs && dtBars > GAP_TYPICAL_MULTIPLE * usualBars;
}

export const ENGINE_DEFAULTS: Readonly<EngineOptions> = Object.freeze<EngineOptions>({
  shortBarMs: 1_000,
  shortBars: 900,
  longBarMs: 60_000,
  longBars: 1_440,
  lateTickGraceMs: 250,
  gapMs: 60_000,
  warmupBars: 120,
  warmupMs: 10 * 60_000,
  returns: 'log',
  lateAlertMaxAgeMs: 15 * 60_000,
  dedupIds: 32,
  detectors: PRICE_DETECTORS,
  zscore: ZSCORE_DEFAULTS,
  robust: ROBUST_DEFAULTS,
  volratio: VOLRATIO_DEFAULTS,
  burst: BURST_DEFAULTS,
  iforest: IFOREST_DETECTOR_DEFAULTS,
  ocsvm: OCSVM_DEFAULTS,
  level: LEVEL_DEFAULTS,
  discord: DISCORD_DEFAULTS,
  discordLong: DISCORD_LONG_DEFAULTS,
  ensemble: { fireScore: 0.99, weights: {}, agreementBonus: 0.5, calibration: 'combined' as const, rearmBars: 0, rearmMargin: 0 },
  calibrator: CALIBRATOR_DEFAULTS,
});

/**
 * What differs by default for series that are not prices (`returns: 'diff'`, e.g. `tickwatch score`
 * on NAB files): their own detectors, each calibrated before they are combined, and a re-arm so
 * that one anomaly scores once at its onset. One set for every series; measured on NAB in
 * docs/eval.md. Anything the caller sets explicitly wins.
 */
export const SERIES_DEFAULTS = Object.freeze({
  detectors: SERIES_DETECTORS,
  ensemble: { agreementBonus: 0, calibration: 'each', rearmBars: 100, rearmMargin: 0.3 },
} as const satisfies { detectors: readonly DetectorName[]; ensemble: Partial<EngineOptions['ensemble']> });

export type EngineOptionsInput = Partial<Omit<EngineOptions, 'zscore' | 'robust' | 'volratio' | 'burst' | 'iforest' | 'ocsvm' | 'level' | 'discord' | 'discordLong' | 'ensemble' | 'calibrator'>> & {
  zscore?: Partial<ZScoreOptions>;
  robust?: Partial<RobustOptions>;
  volratio?: Partial<VolRatioOptions>;
  burst?: Partial<BurstOptions>;
  iforest?: Partial<IForestDetectorOptions>;
  ocsvm?: Partial<OcSvmOptions>;
  level?: Partial<LevelOptions>;
  discord?: Partial<DiscordOptions>;
  discordLong?: Partial<DiscordOptions>;
  ensemble?: Partial<EngineOptions['ensemble']>;
  calibrator?: Partial<CalibratorOptions>;
};

export function engineOptions(input: EngineOptionsInput = {}): EngineOptions {
  const series = input.returns === 'diff';
  const d: Readonly<EngineOptions> = series ? { ...ENGINE_DEFAULTS, detectors: SERIES_DEFAULTS.detectors, ensemble: { ...ENGINE_DEFAULTS.ensemble, ...SERIES_DEFAULTS.ensemble } } : ENGINE_DEFAULTS;
  const o: EngineOptions = {
    ...d,
    ...input,
    zscore: { ...d.zscore, ...input.zscore },
    robust: { ...d.robust, ...input.robust },
    volratio: { ...d.volratio, ...input.volratio },
    burst: { ...d.burst, ...input.burst },
    iforest: { ...d.iforest, ...input.iforest },
    ocsvm: { ...d.ocsvm, ...input.ocsvm },
    level: { ...d.level, ...input.level },
    discord: { ...d.discord, ...input.discord },
    discordLong: { ...d.discordLong, ...input.discordLong },
    ensemble: { ...d.ensemble, ...input.ensemble },
    calibrator: { ...d.calibrator, ...input.calibrator },
  };
  if (!(o.shortBarMs > 0) || !(o.longBarMs >= o.shortBarMs) || o.longBarMs % o.shortBarMs !== 0) {
    throw new RangeError(`longBarMs (${o.longBarMs}) must be a multiple of shortBarMs (${o.shortBarMs})`);
  }
  if (o.ensemble.calibration !== 'combined' && o.ensemble.calibration !== 'each') throw new RangeError(`ensemble.calibration must be 'combined' or 'each', got ${String(o.ensemble.calibration)}`);
  for (const n of o.detectors) if (!DETECTOR_NAMES.includes(n)) throw new RangeError(`unknown detector ${n}; known: ${DETECTOR_NAMES.join(', ')}`);
  return Object.freeze(o);
}
