import { describe, expect, it } from 'vitest';
import { Rng, fastCos } from '../core/math.js';
import { FOURIER_COMPONENTS } from './learned.js';
import { OnlineOneClassSvm, RandomFourierFeatures } from './ocsvm.js';

/**
 * Reference: the exact kernel one-class SVM (Schölkopf et al. 2001) solved by SMO in libsvm's
 * formulation: minimise 1/2 a'Ka subject to 0 <= a_i <= 1 and sum a = nu * l, decision
 * f(x) = sum a_i K(x_i, x) - rho.
 */
function referenceOcSvm(xs: number[][], gamma: number, nu: number): (x: number[]) => number {
  const l = xs.length;
  const K = (a: number[], b: number[]) => Math.exp(-gamma * a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0));
  const Q = xs.map((a) => xs.map((b) => K(a, b)));
  const alpha = new Float64Array(l);
  const n = Math.floor(nu * l);
  for (let i = 0; i < n; i++) alpha[i] = 1;
  if (n < l) alpha[n] = nu * l - n;
  const G = new Float64Array(l);
  for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) G[i] += Q[i][j] * alpha[j];
  for (let iter = 0; iter < 100_000; iter++) {
    let i = -1;
    let j = -1;
    let gi = -Infinity;
    let gj = Infinity;
    for (let t = 0; t < l; t++) {
      if (alpha[t] < 1 && -G[t] > gi) {
        gi = -G[t];
        i = t;
      }
      if (alpha[t] > 0 && -G[t] < gj) {
        gj = -G[t];
        j = t;
      }
    }
    if (i < 0 || j < 0 || gi - gj < 1e-6) break;
    const eta = Math.max(Q[i][i] + Q[j][j] - 2 * Q[i][j], 1e-12);
    const d = Math.min((G[j] - G[i]) / eta, 1 - alpha[i], alpha[j]);
    alpha[i] += d;
    alpha[j] -= d;
    for (let t = 0; t < l; t++) G[t] += d * (Q[t][i] - Q[t][j]);
  }
  let rhoSum = 0;
  let free = 0;
  for (let t = 0; t < l; t++) {
    if (alpha[t] > 1e-9 && alpha[t] < 1 - 1e-9) {
      rhoSum += G[t];
      free++;
    }
  }
  const rho = free > 0 ? rhoSum / free : 0;
  return (x) => xs.reduce((s, xi, t) => s + alpha[t] * K(xi, x), 0) - rho;
}

describe('OnlineOneClassSvm', () => {
  it('agrees with the exact kernel one-class SVM on a fixed data set', () => {
    const rng = new Rng(21);
    const train: number[][] = [];
    for (let i = 0; i < 300; i++) train.push([rng.normal(), rng.normal() * 0.6 + (i % 2 ? 0.8 : -0.8)]);
    const gamma = 0.5;
    const nu = 0.1;
    const ref = referenceOcSvm(train, gamma, nu);
    const svm = new OnlineOneClassSvm(new RandomFourierFeatures(2, 64, gamma, 7), { nu, memory: 5000 });
    for (let epoch = 0; epoch < 20; epoch++) {
      for (let k = 0; k < train.length; k++) svm.learn(train[rng.int(train.length)]);
    }
    // A probe grid spanning the data and well beyond it.
    let agree = 0;
    let total = 0;
    for (let x = -4; x <= 4; x += 0.4) {
      for (let y = -4; y <= 4; y += 0.4) {
        const r = ref([x, y]) >= 0;
        const o = svm.decision([x, y]) >= 0;
        if (r === o) agree++;
        total++;
      }
    }
    expect(agree / total).toBeGreaterThan(0.9);
    // Far away is outside for both; the centre of the data is inside for both.
    expect(ref([4, 4])).toBeLessThan(0);
    expect(svm.decision([4, 4])).toBeLessThan(0);
    expect(svm.decision([0, 0.8])).toBeGreaterThan(0);
  });

  it('learns online: after one pass over a stream, far points sit below 99% of fresh normal points', () => {
    const rng = new Rng(5);
    const svm = new OnlineOneClassSvm(new RandomFourierFeatures(3, FOURIER_COMPONENTS, 1 / 3, 1));
    for (let i = 0; i < 3000; i++) svm.learn([rng.normal(), rng.normal(), rng.normal()]);
    const fresh = Array.from({ length: 500 }, () => svm.decision([rng.normal(), rng.normal(), rng.normal()])).sort((a, b) => a - b);
    const p1 = fresh[Math.floor(fresh.length * 0.01)];
    for (const far of [[5, -5, 5], [-6, 0, 0], [0, 7, -7]]) expect(svm.decision(far)).toBeLessThan(p1);
    expect(svm.decision([0, 0, 0])).toBeGreaterThan(0);
  });
});

describe('fastCos', () => {
  it('is within 1e-6 of Math.cos over a wide range, negative arguments included', () => {
    let worst = 0;
    for (let x = -100; x <= 100; x += 0.0137) worst = Math.max(worst, Math.abs(fastCos(x) - Math.cos(x)));
    expect(worst).toBeLessThan(1e-6);
  });
});
