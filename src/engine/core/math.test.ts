import { describe, expect, it } from 'vitest';
import * as ss from 'simple-statistics';
import { Rng, erfc, quantileSorted, scoreFromZ, surpriseFromScore } from './math.js';

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
