import { EwStats, Rng, alphaForHalfLife, fnv1a, scoreFromTail, signOf, upperTail } from '../core/math.js';
import type { DetectorResult } from '../core/types.js';
import type { Trainer } from '../ports/trainer.js';
import { FEATURE_COUNT, QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';
import { FOREST_DEFAULTS, IsolationForest, averagePathLength, type ForestOptions } from './iforest.js';
import { OCSVM_DEFAULTS, OnlineOneClassSvm, type OcSvmOptions, RandomFourierFeatures } from './ocsvm.js';

/** Half-life, in bars, of the running statistics that turn a model's raw output into a z. */
const RAW_STATS_HALF_LIFE = 500;
/** Raw outputs seen before a learned detector speaks. */
const RAW_STATS_MIN = 50;
/** Smallest spread of raw outputs used as a z denominator. */
const MIN_RAW_STD = 1e-3;

export interface IForestDetectorOptions {
  forest: ForestOptions;
  /** Feature vectors kept as the training set (the stream's own recent history). */
  history: number;
  /** Vectors needed before the first model is trained. */
  minTrain: number;
  /** Bars between retrainings. */
  retrainEvery: number;
}

export const IFOREST_DETECTOR_DEFAULTS: IForestDetectorOptions = { forest: FOREST_DEFAULTS, history: 512, minTrain: 128, retrainEvery: 1024 };

/**
 * Isolation forest on the bar's feature vector, retrained on the stream's own recent history
 * through the Trainer (off the hot path in live mode). Its raw score is turned into a z against
 * the stream's running distribution of raw scores.
 */
export class IForestDetector implements Detector {
  readonly name = 'iforest';
  private readonly hist: Float32Array;
  private head = 0;
  private n = 0;
  private sinceTrain = 0;
  private model: IsolationForest | null = null;
  private training = false;
  private readonly raw = new EwStats(alphaForHalfLife(RAW_STATS_HALF_LIFE));
  private readonly rng: Rng;
  private readonly out = new ResultSlot();

  constructor(
    seedKey: string,
    private readonly trainer: Trainer,
    private readonly opt: IForestDetectorOptions = IFOREST_DETECTOR_DEFAULTS,
  ) {
    this.hist = new Float32Array(opt.history * FEATURE_COUNT);
    this.rng = new Rng(fnv1a(seedKey));
  }

  get trained(): boolean {
    return this.model !== null;
  }

  update(bar: BarInput): DetectorResult {
    if (!bar.featuresReady) return QUIET;
    const f = bar.features;
    let result = QUIET;
    const model = this.model;
    if (model) {
      const s = model.score(f);
      if (this.raw.n >= RAW_STATS_MIN) {
        const z = this.raw.z(s, MIN_RAW_STD);
        if (z > 0) {
          result = this.out.set(scoreFromTail(upperTail(z)), signOf(bar.logReturn), () => {
            const typical = averagePathLength(model.opt.sampleSize);
            return `isolated in ${model.pathLength(f).toFixed(1)} splits (typical ${typical.toFixed(1)})`;
          });
        }
      }
      this.raw.update(s);
    }
    this.remember(f);
    if (++this.sinceTrain >= this.opt.retrainEvery || (!model && this.n >= this.opt.minTrain && !this.training)) this.retrain();
    return result;
  }

  private remember(f: Float64Array): void {
    const at = this.head * FEATURE_COUNT;
    for (let i = 0; i < FEATURE_COUNT; i++) this.hist[at + i] = f[i];
    this.head = this.head + 1 === this.opt.history ? 0 : this.head + 1;
    if (this.n < this.opt.history) this.n++;
  }

  private retrain(): void {
    if (this.n < this.opt.minTrain || this.training) return;
    this.sinceTrain = 0;
    this.training = true;
    const rows = this.n;
    // A copy: the ring keeps filling while a background trainer works.
    const data = this.hist.slice(0, rows * FEATURE_COUNT);
    this.trainer.schedule(() => {
      this.model = new IsolationForest(FEATURE_COUNT, this.opt.forest).fit(data, rows, this.rng);
      this.training = false;
    });
  }

  byteSize(): number {
    // The live model, plus the transient copy a retraining holds.
    const model = this.model ? this.model.byteSize() : new IsolationForest(FEATURE_COUNT, this.opt.forest).byteSize();
    return this.hist.byteLength + model + 128;
  }
}

/**
 * Random Fourier components of the one-class SVM's kernel map. With 64 the map's own noise hides
 * points four or five standard deviations out; 128 separates them (ocsvm.test.ts).
 */
export const FOURIER_COMPONENTS = 128;

/** The random feature map shared by every stream's one-class SVM. */
export function sharedFourierMap(seed = 0x5eed): RandomFourierFeatures {
  // gamma = 1 / dims: the scale-free choice for standardised features (scikit-learn's 'scale').
  return new RandomFourierFeatures(FEATURE_COUNT, FOURIER_COMPONENTS, 1 / FEATURE_COUNT, seed);
}

/**
 * One-class SVM on the same features, learned online: every bar is scored by the model as it
 * stood, then taught to it. Its margin (how far outside the normal region) becomes a z against the
 * stream's running distribution of margins.
 */
export class OcSvmDetector implements Detector {
  readonly name = 'ocsvm';
  private readonly svm: OnlineOneClassSvm;
  private readonly raw = new EwStats(alphaForHalfLife(RAW_STATS_HALF_LIFE));
  private readonly out = new ResultSlot();

  constructor(map: RandomFourierFeatures, opt: OcSvmOptions = OCSVM_DEFAULTS) {
    this.svm = new OnlineOneClassSvm(map, opt);
  }

  update(bar: BarInput): DetectorResult {
    if (!bar.featuresReady) return QUIET;
    const f = bar.features;
    let result = QUIET;
    if (this.svm.updates >= RAW_STATS_MIN) {
      const margin = -this.svm.decision(f);
      if (this.raw.n >= RAW_STATS_MIN) {
        const z = this.raw.z(margin, MIN_RAW_STD);
        if (z > 0) {
          result = this.out.set(scoreFromTail(upperTail(z)), signOf(bar.logReturn), () =>
            margin > 0 ? `outside the learned normal region (${z.toFixed(1)}σ)` : `at the edge of the learned normal region (${z.toFixed(1)}σ)`,
          );
        }
      }
      this.raw.update(margin);
      this.svm.learnLast();
    } else {
      this.svm.learn(f);
    }
    return result;
  }

  byteSize(): number {
    return this.svm.byteSize() + 96;
  }
}
