import { Rng } from '../core/math.js';

/** Average path length of an unsuccessful search in a binary search tree of n points: c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

export interface ForestOptions {
  trees: number;
  /** Points drawn (without replacement) for each tree. */
  sampleSize: number;
}

/** c(n) for every possible leaf size (leaf sizes fit a byte). */
const LEAF_PATH = Float64Array.from({ length: 256 }, (_, n) => averagePathLength(n));

export const FOREST_DEFAULTS: ForestOptions = { trees: 32, sampleSize: 128 };

/**
 * An isolation forest (Liu, Ting and Zhou, 2008) in flat typed arrays.
 *
 * Written here rather than taken from ml-isolation-forest because that library grows each tree on
 * the whole training set, keeps every training row inside its leaves, draws from Math.random (not
 * reproducible) and allocates a node object per split: too slow and too large to keep one model per
 * stream for thousands of streams. Tested against it on the same data (iforest.test.ts).
 *
 * Each tree is a complete binary tree in implicit layout (children of node i at 2i+1 and 2i+2),
 * height limited to ceil(log2(sampleSize)) as in the paper, so a model's size is fixed:
 * trees x (2^(h+1) - 1) nodes x 6 bytes.
 */
export class IsolationForest {
  readonly nodesPerTree: number;
  readonly height: number;
  /** Split feature per node; -1 marks a leaf, -2 an unused slot. */
  readonly feature: Int8Array;
  readonly split: Float32Array;
  /** Training points that ended in each leaf. */
  readonly leafSize: Uint8Array;
  /** c(n) of the sample size actually used in fit; 0 until fitted. */
  private norm = 0;

  constructor(
    readonly dims: number,
    readonly opt: ForestOptions = FOREST_DEFAULTS,
  ) {
    if (dims > 127) throw new RangeError('at most 127 features');
    if (opt.sampleSize > 255) throw new RangeError('sampleSize at most 255');
    this.height = Math.ceil(Math.log2(Math.max(2, opt.sampleSize)));
    this.nodesPerTree = 2 ** (this.height + 1) - 1;
    const total = opt.trees * this.nodesPerTree;
    this.feature = new Int8Array(total).fill(-2);
    this.split = new Float32Array(total);
    this.leafSize = new Uint8Array(total);
  }

  /**
   * Grows every tree from `rows` points stored row-major in `data` (rows x dims). Uses at most
   * sampleSize points per tree; with fewer rows, all of them.
   */
  fit(data: Float32Array, rows: number, rng: Rng): this {
    const { dims } = this;
    const m = Math.min(this.opt.sampleSize, rows);
    const idx = new Uint32Array(rows);
    const sample = new Uint32Array(m);
    for (let t = 0; t < this.opt.trees; t++) {
      // Partial Fisher-Yates: the first m entries become a uniform sample without replacement.
      for (let i = 0; i < rows; i++) idx[i] = i;
      for (let i = 0; i < m; i++) {
        const j = i + rng.int(rows - i);
        const tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
        sample[i] = idx[i];
      }
      this.grow(t * this.nodesPerTree, 0, 0, sample, 0, m, data, dims, rng);
    }
    this.norm = averagePathLength(m);
    return this;
  }

  private grow(base: number, node: number, depth: number, s: Uint32Array, lo: number, hi: number, data: Float32Array, dims: number, rng: Rng): void {
    const at = base + node;
    const n = hi - lo;
    if (depth >= this.height || n <= 1) {
      this.feature[at] = -1;
      this.leafSize[at] = n;
      return;
    }
    // Pick a feature that still varies among these points; give up (leaf) if none does.
    let f = -1;
    let min = 0;
    let max = 0;
    const start = rng.int(dims);
    for (let k = 0; k < dims; k++) {
      const c = (start + k) % dims;
      let mn = Infinity;
      let mx = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = data[s[i] * dims + c];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (mx > mn) {
        f = c;
        min = mn;
        max = mx;
        break;
      }
    }
    if (f < 0) {
      this.feature[at] = -1;
      this.leafSize[at] = n;
      return;
    }
    let cut = Math.fround(min + rng.next() * (max - min));
    if (cut <= min) cut = Math.fround(min + (max - min) / 2);
    // Partition: values < cut to the left.
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if (data[s[i] * dims + f] < cut) i++;
      else {
        const tmp = s[i];
        s[i] = s[j];
        s[j] = tmp;
        j--;
      }
    }
    this.feature[at] = f;
    this.split[at] = cut;
    this.grow(base, 2 * node + 1, depth + 1, s, lo, i, data, dims, rng);
    this.grow(base, 2 * node + 2, depth + 1, s, i, hi, data, dims, rng);
  }

  /** Mean path length of x over the trees (with the c(leaf size) adjustment of the paper). */
  pathLength(x: Float64Array, offset = 0): number {
    const per = this.nodesPerTree;
    let total = 0;
    for (let t = 0; t < this.opt.trees; t++) {
      const base = t * per;
      let node = 0;
      let depth = 0;
      for (;;) {
        const f = this.feature[base + node];
        if (f < 0) break;
        node = x[offset + f] < this.split[base + node] ? 2 * node + 1 : 2 * node + 2;
        depth++;
      }
      total += depth + LEAF_PATH[this.leafSize[base + node]];
    }
    return total / this.opt.trees;
  }

  /** Anomaly score s = 2^(-E[h(x)] / c(n)): near 1 anomalous, about 0.5 or less normal. */
  score(x: Float64Array, offset = 0): number {
    if (this.norm === 0) return 0.5;
    return Math.pow(2, -this.pathLength(x, offset) / this.norm);
  }

  byteSize(): number {
    return this.feature.byteLength + this.split.byteLength + this.leafSize.byteLength;
  }
}
