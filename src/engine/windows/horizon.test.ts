import { describe, expect, it } from 'vitest';
import { BarRing } from './bar-ring.js';
import { Rng } from '../core/math.js';
import { BidAskBounce, HORIZON_CAP_SIGMAS, HorizonSpread } from './horizon.js';

const diff = (a: number, b: number) => Math.log(a / b);

/** Feeds one-second bars at the given closes (from t = 0) to a 30-s horizon spread. */
function feed(h: HorizonSpread, closes: number[], ring = new BarRing(900, 1000)): BarRing {
  closes.forEach((c, i) => {
    ring.push(i * 1000, c, c, c, c, 1, c, 0.5, 0.5, 1);
    h.learn(ring, ring.close, i, i * 1000, -Infinity, diff);
  });
  return ring;
}

describe('HorizonSpread', () => {
  it('is trusted only once its samples span the minimum (0 before), and reads at least the floor', () => {
    const h = new HorizonSpread(30_000, 1_000_000, 300_000, 1);
    feed(h, Array.from({ length: 400 }, () => 100));
    expect(h.spread(300_000, 1e-6)).toBe(0); // samples from t = 30 s on: 270 s < 300 s
    expect(h.spread(399_000, 1e-6)).toBe(1e-6); // a flat price: no spread but the floor
  });

  it('measures the bounce as it is: a price alternating between two levels 1% apart moves 1% over 31 s, not sqrt(31) times that', () => {
    const h = new HorizonSpread(31_000, 1_000_000, 310_000, 1.25);
    feed(h, Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? 100 : 101)));
    // Bars 31 apart are on opposite levels: every return is +-1%, read with the margin.
    expect(h.spread(599_000, 0)).toBeCloseTo(1.25 * Math.log(101 / 100), 3);
  });

  it('learns a pump capped: a 30% leap among 0.1% returns moves the spread by at most the cap', () => {
    const calm = Array.from({ length: 400 }, (_, i) => 100 * Math.exp(0.001 * Math.sin(i * 1.7)));
    const h = new HorizonSpread(30_000, 1_000_000, 0, 1);
    const ring = feed(h, calm);
    const before = h.spread(399_000, 0);
    ring.push(400_000, 130, 130, 130, 130, 1, 130, 0.5, 0.5, 1);
    h.learn(ring, ring.close, 400, 400_000, -Infinity, diff);
    const after = h.spread(400_000, 0);
    expect(after).toBeGreaterThan(before);
    // One sample among n moves a variance by at most cap^2 / n of itself (n here about 370).
    expect(after / before).toBeLessThan(Math.sqrt(1 + (HORIZON_CAP_SIGMAS * HORIZON_CAP_SIGMAS) / 300));
  });

  it('never measures across a gap', () => {
    const h = new HorizonSpread(30_000, 1_000_000, 0, 1);
    const ring = new BarRing(900, 1000);
    for (let i = 0; i < 100; i++) {
      ring.push(i * 1000, 100, 100, 100, 100, 1, 100, 0.5, 0.5, 1);
      h.learn(ring, ring.close, i, i * 1000, -Infinity, diff);
    }
    const gapTs = 110_000;
    ring.push(gapTs, 150, 150, 150, 150, 1, 150, 0.5, 0.5, 1);
    h.learn(ring, ring.close, 100, gapTs, gapTs, diff);
    expect(h.spread(gapTs, 0)).toBeCloseTo(0, 12);
  });
});

describe('BidAskBounce', () => {
  /** Log returns of trades printed at the bid or the ask (half-spread c, in log terms) around a mid that moves by `drift` a trade. */
  function bounceReturns(n: number, c: number, drift: number, seed = 1): number[] {
    const rng = new Rng(seed);
    let prev = NaN;
    let mid = 0;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      mid += drift;
      const p = mid + (rng.next() < 0.5 ? c : -c);
      if (prev === prev) out.push(p - prev);
      prev = p;
    }
    return out;
  }

  it('GIVEN trades at the bid or the ask at random THEN it reads the bounce a return carries, 2c^2 (Roll 1984)', () => {
    const b = new BidAskBounce(1_000_000);
    for (const r of bounceReturns(20_000, 0.003, 0)) b.learn(r);
    expect(Math.sqrt(b.variance) / (Math.sqrt(2) * 0.003)).toBeGreaterThan(0.95);
    expect(Math.sqrt(b.variance) / (Math.sqrt(2) * 0.003)).toBeLessThan(1.05);
  });

  it('GIVEN a steady trend without bounce THEN no bounce: returns that do not revert read 0', () => {
    const b = new BidAskBounce(1_000_000);
    for (let i = 0; i < 1000; i++) b.learn(0.001 * (1 + (i % 3)));
    expect(b.variance).toBe(0);
  });

  it('reads 0 until it has learned enough pairs, and a gap (NaN) does not pair the returns on either side of it', () => {
    const b = new BidAskBounce(1_000_000);
    const rs = bounceReturns(150, 0.003, 0);
    for (const r of rs) b.learn(r);
    expect(b.variance).toBe(0);
    // Across a gap, a +1% and a -1% return would read as bounce; they are not paired.
    for (let i = 0; i < 100; i++) {
      b.learn(0.01);
      b.learn(NaN);
      b.learn(-0.01);
      b.learn(NaN);
    }
    for (const r of bounceReturns(200, 0.003, 0, 2)) b.learn(r);
    expect(Math.sqrt(b.variance)).toBeLessThan(0.006);
    expect(Math.sqrt(b.variance)).toBeGreaterThan(0.003);
  });
});
