import { Rng, fastCos } from '../core/math.js';

/**
 * Random Fourier features (Rahimi and Recht, 2007): a fixed random map z(x) whose inner products
 * approximate the RBF kernel exp(-gamma ||x - y||^2). Shared by every stream (same dims, same
 * seed): only the small weight vector of each model is per stream.
 */
export class RandomFourierFeatures {
  readonly w: Float64Array;
  readonly b: Float64Array;
  private readonly scale: number;

  constructor(
    readonly dims: number,
    readonly components: number,
    readonly gamma: number,
    seed: number,
  ) {
    const rng = new Rng(seed);
    this.w = new Float64Array(components * dims);
    this.b = new Float64Array(components);
    const sd = Math.sqrt(2 * gamma);
    for (let i = 0; i < this.w.length; i++) this.w[i] = rng.normal() * sd;
    for (let i = 0; i < components; i++) this.b[i] = rng.next() * 2 * Math.PI;
    this.scale = Math.sqrt(2 / components);
  }

  transform(x: ArrayLike<number>, out: Float64Array, offset = 0): void {
    const d = this.dims;
    for (let k = 0; k < this.components; k++) {
      let s = this.b[k];
      const base = k * d;
      for (let j = 0; j < d; j++) s += this.w[base + j] * x[offset + j];
      out[k] = this.scale * fastCos(s);
    }
  }
}

export interface OcSvmOptions {
  /** Upper bound on the fraction of training points treated as outliers (nu). */
  nu: number;
  /** The learning rate stops shrinking after this many updates, so the model keeps adapting. */
  memory: number;
}

export const OCSVM_DEFAULTS: OcSvmOptions = { nu: 0.05, memory: 2000 };

/**
 * A linear one-class SVM on random Fourier features, trained by stochastic gradient descent on
 * the primal (the streaming form of Schölkopf's one-class SVM, as in scikit-learn's
 * SGDOneClassSVM):
 *
 *   minimise  nu/2 ||w||^2 - nu rho + max(0, rho - <w, z(x)>)
 *
 * Decisions use the Polyak average of the iterates, which is what makes single-pass SGD
 * converge. decision(x) >= 0 is inside the learned normal region.
 */
export class OnlineOneClassSvm {
  private readonly w: Float64Array;
  private readonly wAvg: Float64Array;
  private rho = 0;
  private rhoAvg = 0;
  private t = 0;
  private readonly z: Float64Array;

  constructor(
    readonly map: RandomFourierFeatures,
    readonly opt: OcSvmOptions = OCSVM_DEFAULTS,
  ) {
    this.w = new Float64Array(map.components);
    this.wAvg = new Float64Array(map.components);
    this.z = new Float64Array(map.components);
  }

  get updates(): number {
    return this.t;
  }

  decision(x: ArrayLike<number>, offset = 0): number {
    this.map.transform(x, this.z, offset);
    let s = 0;
    for (let k = 0; k < this.z.length; k++) s += this.wAvg[k] * this.z[k];
    return s - this.rhoAvg;
  }

  learn(x: ArrayLike<number>, offset = 0): void {
    this.map.transform(x, this.z, offset);
    this.learnMapped();
  }

  /** Learns the point that the last decision() mapped (saves mapping it twice). */
  learnLast(): void {
    this.learnMapped();
  }

  private learnMapped(): void {
    const { nu } = this.opt;
    const z = this.z;
    let s = 0;
    for (let k = 0; k < z.length; k++) s += this.w[k] * z[k];
    this.t++;
    const step = Math.min(this.t, this.opt.memory);
    // eta = 1 / (nu (t + t0)), scikit-learn's 'optimal' schedule for this objective: the w update
    // becomes a running average of z over margin violations. t0 = 1/nu keeps the first steps of
    // rho near 1 instead of 1/nu, so the Polyak average is not dragged by a wild start.
    const eta = 1 / (nu * (step + 1 / nu));
    const violated = s < this.rho;
    const shrink = 1 - eta * nu;
    for (let k = 0; k < z.length; k++) this.w[k] = shrink * this.w[k] + (violated ? eta * z[k] : 0);
    this.rho += eta * (nu - (violated ? 1 : 0));
    const a = 1 / step;
    for (let k = 0; k < z.length; k++) this.wAvg[k] += a * (this.w[k] - this.wAvg[k]);
    this.rhoAvg += a * (this.rho - this.rhoAvg);
  }

  byteSize(): number {
    return this.w.byteLength + this.wAvg.byteLength + this.z.byteLength + 48;
  }
}
