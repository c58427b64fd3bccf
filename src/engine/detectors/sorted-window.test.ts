import { describe, expect, it } from 'vitest';
import * as ss from 'simple-statistics';
import { Rng } from '../core/math.js';
import { SortedWindow } from './sorted-window.js';

describe('SortedWindow', () => {
  it('matches simple-statistics quantiles and MAD over a rolling window of fat-tailed data', () => {
    const rng = new Rng(42);
    const w = new SortedWindow(101);
    const all: number[] = [];
    for (let i = 0; i < 600; i++) {
      // Fat tails and ties: a mix of normals, occasional jumps, and repeated zeros.
      const x = i % 7 === 0 ? 0 : rng.normal() * (rng.next() < 0.05 ? 8 : 1);
      w.push(x);
      all.push(x);
      if (i % 37 === 0 || i > 590) {
        const win = all.slice(-101);
        for (const p of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) expect(w.quantile(p)).toBeCloseTo(ss.quantile(win, p), 12);
        expect(w.medianAbsoluteDeviation()).toBeCloseTo(ss.medianAbsoluteDeviation(win), 12);
      }
    }
  });

  it('handles even-sized windows and all-equal values', () => {
    const w = new SortedWindow(4);
    for (const x of [3, 3, 3, 3, 3]) w.push(x);
    expect(w.quantile(0.5)).toBe(3);
    expect(w.medianAbsoluteDeviation()).toBe(0);
    const v = new SortedWindow(4);
    for (const x of [1, 2, 4, 10]) v.push(x);
    expect(v.medianAbsoluteDeviation()).toBeCloseTo(ss.medianAbsoluteDeviation([1, 2, 4, 10]), 12);
  });
});
