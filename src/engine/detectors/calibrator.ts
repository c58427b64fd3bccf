import { MAX_SURPRISE as MAX_DETECTOR_SURPRISE, MIN_TAIL } from '../core/math.js';

export interface CalibratorOptions {
  /** Half-life, in bars, of the score history (older history weighs less). */
  halfLife: number;
  /** Bars of history before calibration is trusted fully. */
  minHistory: number;
}

export const CALIBRATOR_DEFAULTS: CalibratorOptions = { halfLife: 21_600, minHistory: 300 };

/** Surprise values are binned over [0, MAX_SURPRISE) in bins this wide. */
const BIN_WIDTH = 0.1;
const MAX_SURPRISE = 12;
const BINS = Math.ceil(MAX_SURPRISE / BIN_WIDTH);
/** Above this empirical tail fraction the tail is extrapolated (peaks over threshold). */
const TAIL_FRACTION = 0.02;
/** Smallest mean excess of the exponential tail, in surprise digits. */
const MIN_MEAN_EXCESS = 0.2;

/**
 * Calibrates a stream's combined surprise against that stream's own history: the returned score is
 * 1 - P(history >= x), so 0.98 means "rarer than 98% of what this stream did". History is a
 * decayed histogram (constant memory). Beyond the top TAIL_FRACTION of the history, where a
 * histogram has too few points, the tail is extrapolated with an exponential fitted to the
 * excesses over that threshold (the peaks-over-threshold method of extreme value theory, as in
 * Siffer et al., "Anomaly Detection in Streams with Extreme Value Theory", KDD 2017), so that a
 * new record scores above every score seen before rather than saturating.
 */
export class ScoreCalibrator {
  private readonly hist = new Float64Array(BINS);
  /** Weight given to the next update; grows instead of decaying every bin (renormalised). */
  private w = 1;
  private total = 0;
  private readonly growth: number;
  n = 0;

  constructor(private readonly opt: CalibratorOptions = CALIBRATOR_DEFAULTS) {
    this.growth = Math.pow(2, 1 / opt.halfLife);
  }

  /** Tail probability of surprise s under the history (not including s itself). */
  tail(s: number): number {
    if (this.total <= 0) return 1;
    const b = binOf(s);
    const h = this.hist;
    // Weight at or above b, with the bin itself counted by the fraction of it at or above s.
    let above = 0;
    for (let i = BINS - 1; i > b; i--) above += h[i];
    const within = h[b] * (1 - (s / BIN_WIDTH - b));
    const pEmp = (above + Math.max(0, within)) / this.total;
    if (pEmp > TAIL_FRACTION) return pEmp;
    // Threshold t: lowest bin edge whose upper tail is at most TAIL_FRACTION.
    let acc = 0;
    let t = BINS;
    let excessSum = 0;
    for (let i = BINS - 1; i >= 0; i--) {
      if ((acc + h[i]) / this.total > TAIL_FRACTION) break;
      acc += h[i];
      t = i;
    }
    const tEdge = t * BIN_WIDTH;
    for (let i = t; i < BINS; i++) excessSum += h[i] * ((i + 0.5) * BIN_WIDTH - tEdge);
    const pT = acc / this.total;
    const meanExcess = acc > 0 ? Math.max(MIN_MEAN_EXCESS, excessSum / acc) : MIN_MEAN_EXCESS;
    const pExtra = Math.max(pT, 1 / this.total) * Math.exp(-Math.max(0, s - tEdge) / meanExcess);
    return Math.max(MIN_TAIL, Math.min(TAIL_FRACTION, pExtra));
  }

  /**
   * Calibrated score of s. Until minHistory bars are seen, blends towards the uncalibrated reading
   * 10^-s (a detector's own tail probability), which is conservative for a young stream.
   */
  score(s: number): number {
    const pCal = this.tail(s);
    const trust = Math.min(1, this.n / this.opt.minHistory);
    const pRaw = Math.pow(10, -s);
    const p = trust * pCal + (1 - trust) * Math.max(pRaw, pCal);
    return 1 - Math.max(MIN_TAIL, Math.min(1, p));
  }

  add(s: number): void {
    this.hist[binOf(s)] += this.w;
    this.total += this.w;
    this.w *= this.growth;
    this.n++;
    if (this.w > 1e100) {
      const k = 1 / this.w;
      for (let i = 0; i < BINS; i++) this.hist[i] *= k;
      this.total *= k;
      this.w = 1;
    }
  }

  byteSize(): number {
    return this.hist.byteLength + 48;
  }
}

function binOf(s: number): number {
  if (!(s > 0)) return 0;
  const b = Math.floor(s / BIN_WIDTH);
  return b >= BINS ? BINS - 1 : b;
}

/** The rank calibrator bins surprises over [0, MAX_DETECTOR_SURPRISE) in bins this wide. */
const RANK_BIN_WIDTH = 0.1;
const RANK_BINS = Math.ceil(MAX_DETECTOR_SURPRISE / RANK_BIN_WIDTH);

export interface RankCalibratorOptions {
  /** Half-life, in updates, of the history (older history weighs less). */
  halfLife: number;
}

/**
 * Calibrates one detector's surprise against that detector's own history on this stream, and
 * answers in the same currency: -log10 of the share of the history at or above it, counting the
 * new value itself once (so a value above everything seen in n bars gets log10(n + 1), never
 * infinity). Beyond the largest value ever seen, each further digit of the detector's own surprise
 * adds one digit: a stream's worst bar so far still ranks above its second worst.
 *
 * Unlike ScoreCalibrator, nothing saturates: every bin is counted whole or by the fraction of it at
 * or above the value, up to MAX_DETECTOR_SURPRISE, so a detector that often reports extreme values cannot
 * make its extremes look unprecedented. This puts detectors with different scales (z-scores of
 * returns, of levels, nearest-neighbour distances) on one scale before they are combined.
 */
export class RankCalibrator {
  private readonly hist = new Float64Array(RANK_BINS);
  private w = 1;
  private total = 0;
  private max = 0;
  private readonly growth: number;
  n = 0;

  constructor(opt: RankCalibratorOptions) {
    this.growth = Math.pow(2, 1 / opt.halfLife);
  }

  /** -log10 of the (smoothed) share of the history at or above s; 0 without history. */
  surprise(s: number): number {
    if (this.n === 0 || !(s > 0)) return 0;
    const w = this.w;
    if (s > this.max) return Math.log10((this.total + w) / w) + Math.min(MAX_DETECTOR_SURPRISE, s) - this.max;
    const x = Math.min(s, MAX_DETECTOR_SURPRISE) / RANK_BIN_WIDTH;
    const b = Math.min(RANK_BINS - 1, Math.floor(x));
    const h = this.hist;
    // The bin counted by the fraction of it at or above s; whole at the cap, where values pile up.
    let above = x >= RANK_BINS ? h[b] : h[b] * (1 - (x - b));
    for (let i = b + 1; i < RANK_BINS; i++) above += h[i];
    return Math.log10((this.total + w) / (Math.max(0, above) + w));
  }

  add(s: number): void {
    const v = s > 0 ? Math.min(s, MAX_DETECTOR_SURPRISE) : 0;
    const b = Math.min(RANK_BINS - 1, Math.floor(v / RANK_BIN_WIDTH));
    this.hist[b] += this.w;
    this.total += this.w;
    if (v > this.max) this.max = v;
    this.w *= this.growth;
    this.n++;
    if (this.w > 1e100) {
      const k = 1 / this.w;
      for (let i = 0; i < RANK_BINS; i++) this.hist[i] *= k;
      this.total *= k;
      this.w = 1;
    }
  }

  byteSize(): number {
    return this.hist.byteLength + 56;
  }
}
