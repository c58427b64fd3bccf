import { describe, expect, it } from 'vitest';
import { IsolationForest as ReferenceForest } from 'ml-isolation-forest';
import { Rng } from '../core/math.js';
import { FOREST_DEFAULTS, IsolationForest, averagePathLength } from './iforest.js';

/** Spearman rank correlation. */
function spearman(a: number[], b: number[]): number {
  const rank = (xs: number[]) => {
    const idx = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(xs.length);
    idx.forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (ra[i] - rb[i]) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

/** 2-D data: a dense cluster, a looser one, and a few far points. */
function dataset(seed: number): { train: number[][]; probe: number[][]; outliers: number[] } {
  const rng = new Rng(seed);
  const train: number[][] = [];
  for (let i = 0; i < 250; i++) train.push([rng.normal() * 0.5, rng.normal() * 0.5]);
  for (let i = 0; i < 50; i++) train.push([3 + rng.normal() * 0.3, 3 + rng.normal() * 0.3]);
  const probe: number[][] = [];
  for (let i = 0; i < 60; i++) probe.push([rng.normal() * 0.5, rng.normal() * 0.5]);
  const outliers: number[] = [];
  for (const p of [[6, -5], [-5, 5], [8, 8], [-7, -7], [0, 9]]) {
    outliers.push(probe.length);
    probe.push(p);
  }
  return { train, probe, outliers };
}

describe('IsolationForest', () => {
  it('c(n) is the paper\'s average path length', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256, 9);
  });

  it('ranks points like ml-isolation-forest on the same data, and both put the far points near the top', () => {
    const { train, probe, outliers } = dataset(11);
    const flat = new Float32Array(train.flat());
    const ours = new IsolationForest(2, { trees: 100, sampleSize: 128, scale: 3000 }).fit(flat, train.length, new Rng(3));
    const oursScores = probe.map((p) => ours.score(Float64Array.from(p)));
    const ref = new ReferenceForest({ nEstimators: 100 });
    ref.train(train);
    const refScores: number[] = ref.predict(probe);
    expect(spearman(oursScores, refScores)).toBeGreaterThan(0.7);
    // Every far point ranks within the top 10 of the 65 probes in both (a few inliers lie far out too).
    const top = (s: number[]) => new Set(s.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 10).map(([, i]) => i));
    for (const i of outliers) {
      expect(top(oursScores).has(i)).toBe(true);
      expect(top(refScores).has(i)).toBe(true);
    }
    // Far points score clearly anomalous (> 0.6), cluster points do not.
    for (const i of outliers) expect(oursScores[i]).toBeGreaterThan(0.6);
    const inliers = oursScores.filter((_, i) => !outliers.includes(i));
    expect(inliers.reduce((a, b) => a + b, 0) / inliers.length).toBeLessThan(0.5);
  });

  it('is reproducible from its seed and has a fixed size', () => {
    const { train } = dataset(12);
    const flat = new Float32Array(train.flat());
    const a = new IsolationForest(2).fit(flat, train.length, new Rng(9));
    const b = new IsolationForest(2).fit(flat, train.length, new Rng(9));
    expect(Array.from(a.nodes)).toEqual(Array.from(b.nodes));
    expect(a.nodes.byteLength).toBe(FOREST_DEFAULTS.trees * 255 * 4);
  });

  it('a constant training set gives a single-leaf tree and a neutral score', () => {
    const flat = new Float32Array(200).fill(1);
    const f = new IsolationForest(2).fit(flat, 100, new Rng(1));
    expect(f.score(Float64Array.from([1, 1]))).toBeCloseTo(0.5, 1);
  });
});
