import { describe, expect, it } from 'vitest';
import { Rng } from '../core/math.js';
import { ScoreCalibrator } from './calibrator.js';

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
