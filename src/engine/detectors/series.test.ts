import { describe, expect, it } from 'vitest';
import * as ss from 'simple-statistics';
import { Rng } from '../core/math.js';
import { barInput } from '../testing/bar-input.js';
import { DiscordDetector } from './discord.js';
import { Ensemble } from './ensemble.js';
import { LevelDetector } from './level.js';
import { QUIET, ResultSlot, type BarInput, type Detector } from './detector.js';

const at = (level: number, extra: Partial<BarInput> = {}) => barInput(0, { level, ...extra });

/** Nearest-neighbour distance of the last m values to every earlier non-overlapping window within `history` starts. */
function bruteDiscord(xs: number[], m: number, history: number): number {
  const cur = xs.length - m;
  let best = Infinity;
  for (let s = Math.max(0, cur - history); s <= cur - m; s++) {
    let d = 0;
    for (let k = 0; k < m; k++) d += (xs[s + k] - xs[cur + k]) ** 2;
    best = Math.min(best, d);
  }
  return Math.sqrt(best);
}

describe('LevelDetector', () => {
  it('scores the level against the mean and spread of the PAST window, and keeps seeing a shift', () => {
    const d = new LevelDetector({ window: 200, minSamples: 30, minRelStd: 1e-9 });
    const rng = new Rng(11);
    const xs = Array.from({ length: 200 }, () => 50 + rng.normal());
    for (const x of xs) d.update(at(x));
    expect(d.moments().mean).toBeCloseTo(ss.mean(xs), 10);
    expect(d.moments().std).toBeCloseTo(ss.sampleStandardDeviation(xs), 10);
    const z = (58 - ss.mean(xs)) / ss.sampleStandardDeviation(xs);
    const r = d.update(at(58));
    expect(r.sign).toBe(1);
    expect(r.explanation).toMatch(new RegExp(`${z.toFixed(1)}σ above`));
    // A plateau: the next bars at the new level are still far from the window's mean.
    for (let i = 0; i < 5; i++) expect(d.update(at(58)).surprise).toBeGreaterThan(5);
  });

  it('a flat line is not infinitely calm: one tick of change is a finite surprise', () => {
    const d = new LevelDetector();
    for (let i = 0; i < 100; i++) d.update(at(1000));
    const r = d.update(at(1000.001));
    expect(r.surprise).toBeGreaterThan(10);
    expect(Number.isFinite(r.surprise)).toBe(true);
  });
});

describe('DiscordDetector', () => {
  it('its distance equals the brute-force nearest earlier pattern, bar after bar (no look-ahead)', () => {
    const m = 8;
    const history = 60;
    const d = new DiscordDetector({ length: m, history, minSamples: 5, halfLife: 100 });
    const rng = new Rng(12);
    const xs: number[] = [];
    for (let i = 0; i < 400; i++) {
      const x = 1e6 + Math.sin(i / 5) * 10 + rng.normal();
      xs.push(x);
      d.update(at(x));
      // Defined once minSamples (5) earlier patterns exist: the first window ends at m - 1, the fifth
      // candidate pattern starts at 4, so the newest starts at 4 + m.
      if (i >= 2 * m + 3) expect(d.lastDistance).toBeCloseTo(bruteDiscord(xs, m, history), 5);
      else expect(Number.isNaN(d.lastDistance)).toBe(true);
    }
  });

  it('a pattern seen before scores low however large it is; a new one scores high', () => {
    const d = new DiscordDetector({ length: 16, history: 1000, minSamples: 30, halfLife: 500 });
    const rng = new Rng(13);
    // A daily-like cycle with a big rise every 100 bars, plus noise.
    const cycle = (i: number) => (i % 100 < 20 ? 30 : 0) + Math.sin((2 * Math.PI * i) / 100) * 5 + rng.normal() * 0.3;
    let i = 0;
    for (; i < 1500; i++) d.update(at(cycle(i)));
    let usual = 0;
    for (; i < 1600; i++) usual = Math.max(usual, d.update(at(cycle(i))).surprise);
    // The rise that should come now does not (the cycle skips it).
    let skipped = 0;
    for (let k = 0; k < 20; k++, i++) skipped = Math.max(skipped, d.update(at(cycle(i) - 30)).surprise);
    expect(usual).toBeLessThan(1);
    expect(skipped).toBeGreaterThan(2.5 * usual);
  });

  it('an exactly repeating or flat series ranks no rounding noise', () => {
    const d = new DiscordDetector({ length: 8, history: 200, minSamples: 10, halfLife: 100 });
    let top = 0;
    for (let i = 0; i < 1000; i++) top = Math.max(top, d.update(at(123456.789 + (i % 10))).surprise);
    expect(top).toBeLessThan(1);
  });
});

/** A detector that replays fixed surprises (for the ensemble's arithmetic). */
class Fixed implements Detector {
  private i = 0;
  private readonly out = new ResultSlot();
  constructor(
    readonly name: string,
    private readonly xs: number[],
  ) {}
  update(): ReturnType<Detector['update']> {
    const s = this.xs[this.i++ % this.xs.length];
    return s < 0 ? QUIET : this.out.setBoth(1 - 10 ** -s, s, 1, null);
  }
  byteSize(): number {
    return 0;
  }
}

describe('Ensemble, each detector calibrated', () => {
  const opt = { fireScore: 0.99, weights: {}, agreementBonus: 0.25, calibration: 'each' as const, rearmBars: 0, rearmMargin: 0, calibrator: { halfLife: 1e12, minHistory: 1 } };

  it('puts detectors of different scales on one: the strongest calibrated surprise plus a share of the runner-up', () => {
    // A reports 1..10 (uniform), B reports 100x larger numbers capped at 40: same ranks, different scales.
    const a = Array.from({ length: 1000 }, (_, i) => 1 + (i % 10));
    const b = a.map((x) => Math.min(40, x * 4));
    const e = new Ensemble([new Fixed('a', [...a, 10.5]), new Fixed('b', [...b, 39])], opt);
    for (let i = 0; i < 1000; i++) e.evaluate(barInput(0));
    const v = e.evaluate(barInput(0));
    // a: 10.5 beats every one of 1,000 values: log10(1001) + 0.5. b: 39 is below the 100 at the cap (40): (100 + 1) / 1001.
    const ka = Math.log10(1001) + 0.5;
    const kb = Math.log10(1001 / 101);
    expect(v.surprise).toBeCloseTo(ka + 0.25 * kb, 6);
    expect(v.score).toBeCloseTo(1 - 10 ** -(ka + 0.25 * kb), 9);
  });

  it('re-arms: a bar scores only when it beats each of the last rearmBars bars', () => {
    const xs = [...Array.from({ length: 300 }, (_, i) => (i % 7) / 7), 5, 4, 4.5, 0.1, 6];
    const e = new Ensemble([new Fixed('a', xs)], { ...opt, rearmBars: 3 });
    const scores: number[] = [];
    for (let i = 0; i < xs.length; i++) scores.push(e.evaluate(barInput(0)).score);
    const tail = scores.slice(-5);
    expect(tail[0]).toBeGreaterThan(0.99); // 5: a record
    expect(tail[1]).toBe(0); // 4: below 5, two bars ago
    expect(tail[2]).toBe(0); // 4.5: below 5
    expect(tail[3]).toBe(0);
    expect(tail[4]).toBeGreaterThan(0.99); // 6: beats them all
  });

  it('re-arms only past the margin: a reading on a plateau scores at its onset, not at every tiny rise after it', () => {
    // 2,000 ordinary readings, then ten that each beat the record by a hair (each calibrates to
    // about log10(2,000): a plateau), then a clear jump.
    const plateau = Array.from({ length: 10 }, (_, k) => 0.991 + k / 1000);
    const xs = [...Array.from({ length: 2000 }, (_, i) => (i % 100) / 100), ...plateau, 5];
    const run = (rearmMargin: number): number[] => {
      const e = new Ensemble([new Fixed('a', xs)], { ...opt, rearmBars: 3, rearmMargin });
      const scores: number[] = [];
      for (let i = 0; i < xs.length; i++) scores.push(e.evaluate(barInput(0)).score);
      return scores.slice(-11);
    };
    const without = run(0);
    const withMargin = run(0.3);
    expect(without.filter((s) => s > 0.99)).toHaveLength(11); // every hair's-breadth record re-arms
    expect(withMargin[0]).toBeGreaterThan(0.99); // the onset
    expect(withMargin.slice(1, 10)).toEqual(Array(9).fill(0)); // the plateau after it
    expect(withMargin[10]).toBeGreaterThan(0.99); // a jump four decades past the plateau
  });

  it('a detector that is not ready yet counts as silent and does not learn', () => {
    const e = new Ensemble([new Fixed('a', [-1])], opt);
    for (let i = 0; i < 10; i++) expect(e.evaluate(barInput(0)).surprise).toBe(0);
  });
});

describe('Ensemble weights', () => {
  it('in each mode a weight scales the calibrated surprise (a weight on the raw one would vanish in the ranking)', () => {
    const xs = [...Array.from({ length: 999 }, (_, i) => (i % 10) / 10), 5];
    const opt = { fireScore: 0.99, weights: { a: 0.5 }, agreementBonus: 0, calibration: 'each' as const, rearmBars: 0, rearmMargin: 0, calibrator: { halfLife: 1e12, minHistory: 1 } };
    const e = new Ensemble([new Fixed('a', xs)], opt);
    let v = e.evaluate(barInput(0));
    for (let i = 1; i < xs.length; i++) v = e.evaluate(barInput(0));
    // 5 beats all 999 earlier values by 4.1 digits: log10(1000) + 4.1, halved.
    expect(v.surprise).toBeCloseTo(0.5 * (3 + 5 - 0.9), 6);
  });
});
