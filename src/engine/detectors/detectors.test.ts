import { describe, expect, it } from 'vitest';
import * as ss from 'simple-statistics';
import { Rng } from '../core/math.js';
import { barInput } from '../testing/bar-input.js';
import { BurstDetector } from './burst.js';
import { RobustDetector } from './robust.js';
import { VolRatioDetector } from './volratio.js';
import { ZScoreDetector } from './zscore.js';

function normals(n: number, sd: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal() * sd);
}

describe('ZScoreDetector', () => {
  it('its window moments equal simple-statistics mean and sample standard deviation', () => {
    const d = new ZScoreDetector({ window: 50, minSamples: 10, minStd: 1e-9 });
    const xs = normals(173, 0.001, 1);
    for (const x of xs) d.update(barInput(x));
    const win = xs.slice(-50);
    const m = d.moments();
    expect(m.n).toBe(50);
    expect(m.mean).toBeCloseTo(ss.mean(win), 12);
    expect(m.std).toBeCloseTo(ss.sampleStandardDeviation(win), 12);
  });

  it('scores a return against the PAST window only, with the right sign', () => {
    const d = new ZScoreDetector({ window: 100, minSamples: 30, minStd: 1e-9 });
    const xs = normals(100, 0.001, 2);
    for (const x of xs) d.update(barInput(x));
    const mean = ss.mean(xs);
    const sd = ss.sampleStandardDeviation(xs);
    const spike = mean + 6 * sd;
    const r = d.update(barInput(spike));
    expect(r.sign).toBe(1);
    expect(r.score).toBeGreaterThan(0.999999);
    expect(r.explanation).toMatch(/6\.0σ/);
    const dip = d.update(barInput(-6 * sd));
    expect(dip.sign).toBe(-1);
  });

  it('stays quiet on the first bar after a gap', () => {
    const d = new ZScoreDetector();
    for (const x of normals(100, 0.001, 3)) d.update(barInput(x));
    expect(d.update(barInput(0.5, { afterGap: true })).score).toBe(0);
  });
});

describe('RobustDetector', () => {
  it('its median, MAD and quartiles equal simple-statistics on the same window', () => {
    const d = new RobustDetector({ window: 60, minSamples: 10, minStd: 1e-9 });
    const xs = normals(200, 0.002, 4);
    for (const x of xs) d.update(barInput(x));
    const win = xs.slice(-60);
    const s = d.stats();
    expect(s.median).toBeCloseTo(ss.median(win), 12);
    expect(s.mad).toBeCloseTo(ss.medianAbsoluteDeviation(win), 12);
    expect(s.q1).toBeCloseTo(ss.quantile(win, 0.25), 12);
    expect(s.q3).toBeCloseTo(ss.quantile(win, 0.75), 12);
  });

  it('past spikes barely move it: a new spike still scores after several earlier ones', () => {
    const d = new RobustDetector({ window: 300, minSamples: 30, minStd: 1e-9 });
    const xs = normals(300, 0.001, 5);
    for (let i = 0; i < xs.length; i++) d.update(barInput(i % 50 === 0 ? 0.02 : xs[i]));
    const r = d.update(barInput(-0.01));
    expect(r.sign).toBe(-1);
    expect(r.score).toBeGreaterThan(0.9999);
  });
});

describe('VolRatioDetector', () => {
  it('is calm on a stable regime and fires when volatility triples', () => {
    const d = new VolRatioDetector();
    const calm = normals(2000, 0.001, 6);
    let maxCalm = 0;
    calm.forEach((x, i) => {
      const r = d.update(barInput(x));
      if (i > 700) maxCalm = Math.max(maxCalm, r.score);
    });
    expect(maxCalm).toBeLessThan(0.9999);
    let peak = 0;
    for (const x of normals(60, 0.003, 7)) peak = Math.max(peak, d.update(barInput(x)).score);
    expect(peak).toBeGreaterThan(0.9999);
  });

  it('GIVEN a burst of 20x volatility that ends THEN the calm after it does not read as a collapse of volatility', () => {
    const d = new VolRatioDetector();
    for (const x of normals(2000, 0.001, 6)) d.update(barInput(x));
    let burst = 0;
    for (const x of normals(30, 0.02, 7)) burst = Math.max(burst, d.update(barInput(x)).score);
    expect(burst).toBeGreaterThan(0.9999);
    let lowest = Infinity;
    // Once the short average has forgotten the burst (a few of its 20-bar half-lives).
    normals(600, 0.001, 8).forEach((x, i) => {
      d.update(barInput(x));
      if (i >= 120) lowest = Math.min(lowest, d.ratio());
    });
    // Learned uncapped, the burst left the long-run level ~15x too high: "volatility at 7%".
    expect(lowest).toBeGreaterThan(0.3);
  });

  it('GIVEN a stream whose first return is zero THEN ordinary volatility after it reads as ordinary (its averages start as plain means)', () => {
    const d = new VolRatioDetector();
    d.update(barInput(0));
    let peak = 0;
    for (const x of normals(300, 0.001, 9)) peak = Math.max(peak, d.update(barInput(x)).score);
    // An average started from the one flat bar alone stayed near zero for hundreds of bars, and
    // every ordinary bar then read as volatility several times its long-run level.
    expect(d.ratio()).toBeGreaterThan(0.5);
    expect(d.ratio()).toBeLessThan(2);
    expect(peak).toBeLessThan(0.999);
  });
});

describe('BurstDetector', () => {
  it('fires on a rush of same-millisecond buys and names the buy side', () => {
    const d = new BurstDetector();
    const rng = new Rng(8);
    for (let i = 0; i < 400; i++) d.update(barInput(0, { trades: 3 + rng.int(4), maxSameMs: 1 + rng.int(2) }));
    const r = d.update(barInput(0.001, { trades: 120, maxSameMs: 60, buyVolume: 50, sellVolume: 2 }));
    expect(r.score).toBeGreaterThan(0.9999);
    expect(r.sign).toBe(1);
    expect(r.explanation).toMatch(/trades/);
    const quiet = d.update(barInput(0, { trades: 1, maxSameMs: 1 }));
    expect(quiet.score).toBe(0);
  });
});
