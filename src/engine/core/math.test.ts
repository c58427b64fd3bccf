import { describe, expect, it } from 'vitest';
import * as ss from 'simple-statistics';
import { EwStats, MAX_SURPRISE, Rng, alphaForHalfLife, erfc, quantileSorted, scoreFromZ, surpriseFromScore, surpriseFromZ, upperSurpriseFromZ } from './math.js';

describe('Rng', () => {
  it('is reproducible from its seed and unbiased: half the draws below 0.5, normals centred with unit spread', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    expect([a.next(), a.next(), a.int(10)]).toEqual([b.next(), b.next(), b.int(10)]);
    const r = new Rng(1);
    const n = 200_000;
    let below = 0;
    const xs: number[] = [];
    for (let i = 0; i < n; i++) if (r.next() < 0.5) below++;
    for (let i = 0; i < n; i++) xs.push(r.normal());
    // Five standard errors: 0.5 +- 0.0056 and 0 +- 0.011.
    expect(Math.abs(below / n - 0.5)).toBeLessThan(0.0056);
    expect(Math.abs(ss.mean(xs))).toBeLessThan(0.011);
    expect(ss.standardDeviation(xs)).toBeCloseTo(1, 1);
  });
});

describe('tails and quantiles', () => {
  it('erfc, scores and surprises agree with their definitions', () => {
    expect(erfc(0)).toBeCloseTo(1, 6);
    expect(scoreFromZ(3)).toBeCloseTo(0.9973, 4);
    expect(surpriseFromScore(0.99)).toBeCloseTo(2, 6);
    expect(quantileSorted([1, 2, 3, 4], 4, 0.5)).toBe(ss.quantileSorted([1, 2, 3, 4], 0.5));
  });
});

describe('surprise from z, in log space', () => {
  it('matches -log10 of the exact normal tails (Python math.erfc) on both sides of the series switch', () => {
    // Reference: -log10(erfc(z / sqrt 2)) and -log10(erfc(z / sqrt 2) / 2), double precision.
    const ref: [number, number, number][] = [
      [1, 0.49851554582798924, 0.7995455414919704],
      [3, 2.5686690402653873, 2.8696990359293686],
      [7.99, 14.869863305211409, 15.17089330087539],
      [8, 14.90511255535317, 15.206142551017152],
      [10, 22.81702340982209, 23.118053405486073],
      [12, 32.449409165527875, 32.750439161191856],
    ];
    for (const [z, two, one] of ref) {
      expect(surpriseFromZ(z)).toBeCloseTo(two, 4);
      expect(surpriseFromZ(-z)).toBeCloseTo(two, 4);
      expect(upperSurpriseFromZ(z)).toBeCloseTo(one, 4);
    }
  });

  it('keeps ranking beyond the 1e-12 floor of scores, up to MAX_SURPRISE', () => {
    expect(scoreFromZ(9)).toBe(scoreFromZ(11));
    expect(surpriseFromZ(11)).toBeGreaterThan(surpriseFromZ(9) + 5);
    expect(surpriseFromZ(50)).toBe(MAX_SURPRISE);
    expect(surpriseFromZ(Infinity)).toBe(MAX_SURPRISE);
    expect(surpriseFromZ(NaN)).toBe(0);
    expect(upperSurpriseFromZ(-3)).toBeLessThan(Math.log10(2));
    expect(upperSurpriseFromZ(0)).toBeCloseTo(Math.log10(2), 6);
  });
});

describe('EwStats', () => {
  it('GIVEN fewer updates than its half-life weighs THEN it holds the plain mean and population variance (simple-statistics), then weighs exponentially', () => {
    const e = new EwStats(alphaForHalfLife(300));
    const rng = new Rng(11);
    const xs = Array.from({ length: 200 }, () => 5 + rng.normal() * 2);
    xs.forEach((x, i) => {
      e.update(x);
      if (i === 9 || i === 199) {
        expect(e.mean).toBeCloseTo(ss.mean(xs.slice(0, i + 1)), 10);
        expect(e.variance).toBeCloseTo(ss.variance(xs.slice(0, i + 1)), 10);
      }
    });
    // Past about 1/alpha updates each new value weighs alpha: a shift moves the mean by alpha of it.
    for (let i = 0; i < 2000; i++) e.update(5);
    const before = e.mean;
    e.update(before + 1);
    expect(e.mean - before).toBeCloseTo(alphaForHalfLife(300), 10);
  });
});
