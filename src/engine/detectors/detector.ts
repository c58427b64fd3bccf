import { scoreFromZ, surpriseFromScore, surpriseFromZ } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import type { BarRing } from '../windows/bar-ring.js';

/** Number of entries in the learned models' feature vector (see FEATURE_NAMES). */
export const FEATURE_COUNT = 6;
export const FEATURE_NAMES = ['ret1', 'ret5', 'ret30', 'volumeZ', 'tradesZ', 'range'] as const;

/**
 * What every detector sees when a bar closes. One object per stream, overwritten per bar: a
 * detector must copy what it wants to keep.
 */
export interface BarInput {
  /** The stream's short-bar ring; `slot` is this bar's slot in it. */
  ring: BarRing;
  slot: number;
  ts: number;
  close: number;
  trades: number;
  buyVolume: number;
  sellVolume: number;
  /** Largest number of trades that shared one millisecond within the bar. */
  maxSameMs: number;
  /** Log return from the previous bar's close (or the difference, for series that are not prices). */
  logReturn: number;
  /** Bars elapsed since the previous bar (>= 1; quiet bars are not stored). */
  dtBars: number;
  /** logReturn / sqrt(dtBars): a return per bar, comparable across quiet and busy stretches. */
  ret: number;
  /** The bar's level: the close for series that are not prices, the log of the close for prices. */
  level: number;
  /** True for the first bar after a data gap: its return is not evidence of anything. */
  afterGap: boolean;
  /** True for the stream's very first bar: no return yet. */
  first: boolean;
  /** Normalised feature vector for the learned models; valid when `featuresReady`. */
  features: Float64Array;
  featuresReady: boolean;
}

/**
 * One anomaly detector for one stream. Online: `update` sees each closed bar once, in order, scores
 * it against the past only, and then learns from it.
 */
export interface Detector {
  readonly name: string;
  update(bar: BarInput): DetectorResult;
  /** Bytes of state this instance holds (typed arrays and models), for memory accounting. */
  byteSize(): number;
}

export const QUIET: DetectorResult = Object.freeze({ score: 0, surprise: 0, sign: 0, explanation: '' }) as DetectorResult;

/** Explanations are worded only for scores at least this high (wording costs more than scoring). */
export const EXPLAIN_SCORE = 0.9;

/**
 * The result object a detector reuses for every bar: `update` overwrites and returns it, so the
 * caller reads it before the next update. No allocation per bar.
 */
export class ResultSlot implements DetectorResult {
  score = 0;
  surprise = 0;
  sign: -1 | 0 | 1 = 0;
  explanation = '';
  /** A score in [0, 1]; its surprise is read back from it (so it saturates with it). */
  set(score: number, sign: -1 | 0 | 1, explain: (() => string) | null): DetectorResult {
    return this.setBoth(score, surpriseFromScore(score), sign, explain);
  }
  /** A two-sided z value: the score and a surprise computed in log space (no saturation at 1e-12). */
  setZ(z: number, sign: -1 | 0 | 1, explain: (() => string) | null): DetectorResult {
    return this.setBoth(scoreFromZ(z), surpriseFromZ(z), sign, explain);
  }
  setBoth(score: number, surprise: number, sign: -1 | 0 | 1, explain: (() => string) | null): DetectorResult {
    this.score = score;
    this.surprise = surprise;
    this.sign = sign;
    this.explanation = explain && score >= EXPLAIN_SCORE ? explain() : '';
    return this;
  }
}

/**
 * Smallest spread of per-bar log returns that z-scores divide by (0.001%), so that one tick of
 * movement after a flat stretch is not an infinitely unusual event.
 */
export const MIN_RETURN_STD = 1e-5;

export function pct(x: number, digits = 2): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
}
