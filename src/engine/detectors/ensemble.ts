import { signOf, scoreFromSurprise, surpriseFromScore } from '../core/math.js';
import type { DetectorScore } from '../core/types.js';
import type { BarInput, Detector } from './detector.js';
import { ScoreCalibrator, type CalibratorOptions } from './calibrator.js';

export interface EnsembleOptions {
  /** A detector whose own score reaches this has "fired" and is named in the alert. */
  fireScore: number;
  /** Weight per detector name (default 1): multiplies that detector's surprise. */
  weights: Readonly<Record<string, number>>;
  /** Share of the second-strongest detector's surprise added to the strongest one's. */
  agreementBonus: number;
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
 * Combines the detectors of one stream. Each detector's score becomes a surprise (-log10 of its
 * tail probability); the combined surprise is the strongest one plus a share of the runner-up
 * (agreement between independent views counts, without letting five correlated detectors add up
 * to certainty). The combination is then calibrated against this stream's own history.
 */
export class Ensemble {
  private readonly calibrator: ScoreCalibrator;
  private readonly weights: Float64Array;
  /** Reused for every bar: the caller copies what it keeps. */
  private readonly verdict: EnsembleVerdict;

  constructor(
    readonly detectors: readonly Detector[],
    private readonly opt: EnsembleOptions,
  ) {
    this.calibrator = new ScoreCalibrator(opt.calibrator);
    this.weights = Float64Array.from(detectors, (d) => opt.weights[d.name] ?? 1);
    this.verdict = { score: 0, surprise: 0, sign: 0, detectors: detectors.map((d) => ({ name: d.name, score: 0, explanation: '' })) };
  }

  /** The per-detector scores of the latest bar (the same array every time). */
  get scores(): DetectorScore[] {
    return this.verdict.detectors;
  }

  get history(): number {
    return this.calibrator.n;
  }

  evaluate(bar: BarInput): EnsembleVerdict {
    let best = 0;
    let second = 0;
    let vote = 0;
    const v = this.verdict;
    const scores = v.detectors;
    for (let i = 0; i < this.detectors.length; i++) {
      const d = this.detectors[i];
      const r = d.update(bar);
      const s = surpriseFromScore(r.score) * this.weights[i];
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
    v.score = bar.afterGap || bar.first ? 0 : this.calibrator.score(surprise);
    if (!bar.afterGap && !bar.first) this.calibrator.add(surprise);
    v.sign = vote !== 0 ? signOf(vote) : signOf(bar.logReturn);
    return v;
  }

  /** The uncalibrated reading of a surprise, for comparisons. */
  static rawScore(surprise: number): number {
    return scoreFromSurprise(surprise);
  }

  byteSize(): number {
    let b = this.calibrator.byteSize() + this.weights.byteLength;
    for (const d of this.detectors) b += d.byteSize();
    return b;
  }
}
