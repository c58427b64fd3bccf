import { describe, expect, it } from 'vitest';
import { Rng } from '../core/math.js';
import { RankCalibrator, ScoreCalibrator } from './calibrator.js';

describe('ScoreCalibrator', () => {
  it('a score of q means rarer than a fraction q of the stream\'s own history', () => {
    const c = new ScoreCalibrator({ halfLife: 1e9, minHistory: 10 });
    const rng = new Rng(1);
    const xs: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const s = -Math.log10(1 - rng.next()) ; // exponential-ish surprises
      xs.push(s);
      c.add(s);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.5, 0.8, 0.9, 0.95]) {
      const x = xs[Math.floor(q * xs.length)];
      expect(c.score(x)).toBeCloseTo(q, 1);
    }
  });

  it('extrapolates past the largest value seen: a new record scores above every earlier value', () => {
    const c = new ScoreCalibrator({ halfLife: 1e9, minHistory: 10 });
    const rng = new Rng(2);
    let max = 0;
    for (let i = 0; i < 5_000; i++) {
      const s = rng.next() * 2;
      max = Math.max(max, s);
      c.add(s);
    }
    const atMax = c.score(max);
    const beyond = c.score(max + 1);
    expect(beyond).toBeGreaterThan(atMax);
    expect(beyond).toBeGreaterThan(0.999);
    expect(beyond).toBeLessThan(1);
  });

  it('forgets: after a regime change the old history weighs less', () => {
    const c = new ScoreCalibrator({ halfLife: 500, minHistory: 10 });
    for (let i = 0; i < 5_000; i++) c.add(3);
    for (let i = 0; i < 5_000; i++) c.add(0.5);
    // 3 was the norm long ago; now it is rare again.
    expect(c.score(2.9)).toBeGreaterThan(0.97);
  });

  it('while young, leans on the uncalibrated reading (conservative)', () => {
    const c = new ScoreCalibrator({ halfLife: 1e9, minHistory: 1000 });
    for (let i = 0; i < 5; i++) c.add(0.1);
    // One in a hundred by the detector's own measure; the five-point history cannot claim more.
    expect(c.score(2)).toBeLessThan(0.995);
  });
});

describe('RankCalibrator', () => {
  it("answers -log10 of the share of the detector's history at or above a value (the value itself counted once)", () => {
    const c = new RankCalibrator({ halfLife: 1e12 });
    // 1,000 values on a grid of bin centres: 0.05, 0.15, ..., 9.95 (ten of each).
    for (let k = 0; k < 10; k++) for (let i = 0; i < 100; i++) c.add(0.05 + i * 0.1);
    // At 5.0: 500 values above (the 5.05 bin counted whole: 5.0 is at its lower edge), plus itself.
    expect(c.surprise(5.0)).toBeCloseTo(Math.log10(1001 / 501), 6);
    // Halfway into the 9.9 bin: half of its 10 values.
    expect(c.surprise(9.95)).toBeCloseTo(Math.log10(1001 / 6), 6);
    expect(c.surprise(0)).toBe(0);
  });

  it('a new record scores log10(n + 1), and each further digit of raw surprise adds one', () => {
    const c = new RankCalibrator({ halfLife: 1e12 });
    for (let i = 0; i < 999; i++) c.add(2);
    expect(c.surprise(2.5)).toBeCloseTo(3.5, 6);
    expect(c.surprise(4.5)).toBeCloseTo(5.5, 6);
    expect(c.surprise(1000)).toBeCloseTo(3 + 40 - 2, 6);
  });

  it('does not saturate: a value the detector often reports at its cap is ordinary', () => {
    const c = new RankCalibrator({ halfLife: 1e12 });
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) c.add(rng.next() < 0.1 ? 40 : rng.next());
    // One bar in ten reached the cap: the cap is a one-in-ten event, not a record.
    expect(c.surprise(40)).toBeCloseTo(1, 1);
  });

  it('forgets with its half-life', () => {
    const c = new RankCalibrator({ halfLife: 200 });
    for (let i = 0; i < 4000; i++) c.add(5);
    for (let i = 0; i < 4000; i++) c.add(0.5);
    // The 5s weigh 2^-20 of the 0.5s now: 4 is as rare as anything can be in about 290 bars' worth
    // of effective history (200 / ln 2).
    expect(c.surprise(4)).toBeCloseTo(Math.log10(1 + 200 / Math.LN2), 1);
  });
});
