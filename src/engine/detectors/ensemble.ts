import { scoreFromSurprise, signOf } from '../core/math.js';
import type { DetectorScore } from '../core/types.js';
import { QUIET, type BarInput, type Detector } from './detector.js';
import { RankCalibrator, ScoreCalibrator, type CalibratorOptions } from './calibrator.js';

/**
 * How detectors are put on one scale:
 * - `combined`: their raw surprises are combined, and the combination is calibrated against the
 *   stream's history (ScoreCalibrator). A detector that often saturates pulls the whole scale.
 * - `each`: each detector's surprise is first calibrated against its own history on the stream
 *   (RankCalibrator: "rarer than all but 1 in 10^k of what this detector saw here"); the calibrated
 *   surprises are combined, and the score is 1 - 10^-combined. Detectors of different scales and
 *   tail shapes then weigh the same, and none can drown the others by saturating.
 */
export type CalibrationMode = 'combined' | 'each';

export interface EnsembleOptions {
  /** A detector whose own score reaches this has "fired" and is named in the alert. */
  fireScore: number;
  /** Weight per detector name (default 1): multiplies that detector's (calibrated, in `each` mode) surprise. */
  weights: Readonly<Record<string, number>>;
  /** Share of the second-strongest detector's surprise added to the strongest one's. */
  agreementBonus: number;
  calibration: CalibrationMode;
  /**
   * Re-arm: a bar scores only when its combined surprise beats every one of the previous
   * `rearmBars` bars' (0: off). One anomaly then gives one detection at its onset, not a run of
   * them while the detectors' windows digest it; a stronger one inside the run still scores.
   */
  rearmBars: number;
  /**
   * How much a bar must beat the previous `rearmBars` bars by to re-arm, in decades of surprise
   * (0.3: at least twice as rare as any of them). Without it, an anomaly whose reading stays on a
   * plateau while it moves through a detector's window (a long pattern, a shifted level) scores
   * again at every hair's-breadth rise once its onset has left the re-arm window.
   */
  rearmMargin: number;
  calibrator: CalibratorOptions;
}

export interface EnsembleVerdict {
  score: number;
  surprise: number;
  sign: -1 | 0 | 1;
  /** Every detector's score, in the ensemble's fixed order. Overwritten by the next bar. */
  detectors: DetectorScore[];
}

/**
 * Combines the detectors of one stream. Each detector's finding is a surprise (-log10 of its tail
 * probability); the combined surprise is the strongest one plus a share of the runner-up
 * (agreement between independent views counts, without letting five correlated detectors add up
 * to certainty). Calibration against the stream's own history happens before (`each`) or after
 * (`combined`) the combination.
 */
export class Ensemble {
  private readonly calibrator: ScoreCalibrator;
  /** One per detector in `each` mode, else empty. */
  private readonly perDetector: RankCalibrator[];
  private readonly weights: Float64Array;
  /** The last rearmBars combined surprises (a ring). */
  private readonly recent: Float64Array;
  private recentHead = 0;
  private learned = 0;
  /** Reused for every bar: the caller copies what it keeps. */
  private readonly verdict: EnsembleVerdict;

  constructor(
    readonly detectors: readonly Detector[],
    private readonly opt: EnsembleOptions,
  ) {
    this.calibrator = new ScoreCalibrator(opt.calibrator);
    this.perDetector = opt.calibration === 'each' ? detectors.map(() => new RankCalibrator({ halfLife: opt.calibrator.halfLife })) : [];
    this.weights = Float64Array.from(detectors, (d) => opt.weights[d.name] ?? 1);
    this.recent = new Float64Array(Math.max(0, Math.floor(opt.rearmBars)));
    this.verdict = { score: 0, surprise: 0, sign: 0, detectors: detectors.map((d) => ({ name: d.name, score: 0, explanation: '' })) };
  }

  /** The per-detector scores of the latest bar (the same array every time). */
  get scores(): DetectorScore[] {
    return this.verdict.detectors;
  }

  /** Bars the ensemble has learned from. */
  get history(): number {
    return this.learned;
  }

  evaluate(bar: BarInput): EnsembleVerdict {
    let best = 0;
    let second = 0;
    let vote = 0;
    const v = this.verdict;
    const scores = v.detectors;
    const each = this.perDetector.length > 0;
    const learn = !bar.afterGap && !bar.first;
    for (let i = 0; i < this.detectors.length; i++) {
      const d = this.detectors[i];
      const r = d.update(bar);
      let s = r.surprise;
      if (each) {
        const cal = this.perDetector[i];
        const raw = s;
        s = r === QUIET ? 0 : cal.surprise(raw);
        if (learn && r !== QUIET) cal.add(raw);
      }
      // After calibration: a weight on a raw surprise would vanish in the ranking.
      s *= this.weights[i];
      if (s > best) {
        second = best;
        best = s;
      } else if (s > second) second = s;
      vote += r.sign * s;
      scores[i].score = r.score;
      scores[i].explanation = r.explanation;
    }
    const surprise = best + this.opt.agreementBonus * second;
    v.surprise = surprise;
    if (learn) this.learned++;
    if (!learn) v.score = 0;
    else if (each) v.score = scoreFromSurprise(surprise);
    else v.score = this.calibrator.score(surprise);
    if (learn && !each) this.calibrator.add(surprise);
    if (learn && this.recent.length > 0) {
      const r = this.recent;
      const bar = surprise - this.opt.rearmMargin;
      let beaten = true;
      for (let i = 0; i < r.length; i++) {
        if (r[i] >= bar) {
          beaten = false;
          break;
        }
      }
      if (!beaten) v.score = 0;
      r[this.recentHead] = surprise;
      this.recentHead = this.recentHead + 1 === r.length ? 0 : this.recentHead + 1;
    }
    v.sign = vote !== 0 ? signOf(vote) : signOf(bar.logReturn);
    return v;
  }

  /** The uncalibrated reading of a surprise, for comparisons. */
  static rawScore(surprise: number): number {
    return scoreFromSurprise(surprise);
  }

  byteSize(): number {
    let b = this.calibrator.byteSize() + this.weights.byteLength + this.recent.byteLength;
    for (const c of this.perDetector) b += c.byteSize();
    for (const d of this.detectors) b += d.byteSize();
    return b;
  }
}
