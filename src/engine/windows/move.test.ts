import { describe, expect, it } from 'vitest';
import { BarRing } from './bar-ring.js';
import { BOUNCE_MAX_SHARE, emptyMove, moveSigmas, moveSteps, windowMove, yardstick } from './move.js';

/** One-second bars at the given closes (high = low = close), from t = 0. */
function ring(closes: number[], capacity = closes.length): BarRing {
  const r = new BarRing(capacity, 1000);
  closes.forEach((c, i) => r.push(i * 1000, c, c, c, c, 1, c, 0.5, 0.5, 1));
  return r;
}

describe('windowMove', () => {
  it('measures both moves from the window extremes and names the bars they start at', () => {
    const r = ring([100, 104, 101, 99, 102, 98]);
    const m = windowMove(r, null, 0, emptyMove());
    expect(m.close).toBe(98);
    expect(m.down).toBeCloseTo(98 / 104 - 1, 12);
    expect(m.downFromTs).toBe(1000);
    expect(r.ts[m.downFromSlot]).toBe(1000);
    expect(m.upFrom).toBe(98); // the close is the window's low: no move up
    expect(r.ts[m.upFromSlot]).toBe(5000);
  });

  it('GIVEN the extreme lies in the long ring THEN no short-ring slot is named for it', () => {
    const short = ring([100, 101, 100], 3); // t = 0..2 s
    const long = new BarRing(4, 60_000);
    long.push(-120_000, 90, 90, 90, 90, 1, 90, 0.5, 0.5, 1);
    long.push(-60_000, 95, 95, 95, 95, 1, 95, 0.5, 0.5, 1);
    const m = windowMove(short, long, -120_000, emptyMove());
    expect(m.upFrom).toBe(90);
    expect(m.upFromSlot).toBe(-1);
  });
});

describe('moveSigmas', () => {
  it('reads a move in the spread it is given: the same fall is 8 sigmas of a calm spread and 2 of a fourfold one', () => {
    const m = { ...emptyMove(), close: Math.exp(-0.08), sigma: 0.04, barMs: 1000 };
    expect(moveSigmas(m, 1, 4000, 0.005)).toBeCloseTo(8, 9);
    expect(moveSigmas(m, 1, 4000)).toBeCloseTo(1, 9);
    expect(moveSigmas(m, 1, 4000, 0.02)).toBeCloseTo(2, 9);
  });

  it('GIVEN a horizon spread THEN a move is read in the smaller yardstick: bounce that fills the per-bar spread does not add up over time', () => {
    // Per-bar spread 1% (mostly bid-ask bounce), 30-s spread 1.5%: a 10% climb in 20 s is 2.2 sigmas
    // by the random-walk rule and 6.7 in the spread the market really has over that time.
    const m = { ...emptyMove(), close: Math.exp(0.1), sigma: 0.01, sigmaH: 0.015, horizonMs: 30_000, barMs: 1000 };
    expect(moveSigmas(m, 1, 20_000, 0.01, 0)).toBeCloseTo(0.1 / (0.01 * Math.sqrt(20)), 9);
    expect(moveSigmas(m, 1, 20_000)).toBeCloseTo(0.1 / 0.015, 9);
    // Beyond the horizon the horizon spread is scaled like the per-bar one.
    expect(moveSigmas(m, 1, 120_000)).toBeCloseTo(0.1 / (0.015 * 2), 9);
    // On a random walk the two agree, and the per-bar rule stands for moves shorter than the horizon.
    const walk = { ...m, sigmaH: 0.01 * Math.sqrt(30) };
    expect(moveSigmas(walk, 1, 5_000)).toBeCloseTo(0.1 / (0.01 * Math.sqrt(5)), 9);
    expect(moveSigmas(walk, 1, 120_000)).toBeCloseTo(moveSigmas(walk, 1, 120_000, 0.01, 0), 9);
  });
});

describe('yardstick', () => {
  it('GIVEN a horizon spread that is partly bounce THEN only the rest grows past the horizon, and at most BOUNCE_MAX_SHARE of it is read as bounce', () => {
    // 30-s spread 1%, half its variance bounce: over 300 s the move's spread is
    // sqrt(0.5 + 0.5 x 10) = 2.35%, not sqrt(10) = 3.16%.
    const h = 0.01;
    expect(yardstick(300_000, 1, 1000, h, 30_000, h * Math.sqrt(0.5))).toBeCloseTo(h * Math.sqrt(5.5), 12);
    expect(yardstick(300_000, 1, 1000, h, 30_000, 0)).toBeCloseTo(h * Math.sqrt(10), 12);
    // Up to the horizon nothing changes.
    expect(yardstick(20_000, 1, 1000, h, 30_000, h * Math.sqrt(0.5))).toBe(h);
    // A bounce estimate as large as the whole spread is read as BOUNCE_MAX_SHARE of it.
    const s = BOUNCE_MAX_SHARE;
    expect(yardstick(300_000, 1, 1000, h, 30_000, 2 * h)).toBeCloseTo(h * Math.sqrt(s + (1 - s) * 10), 12);
    // The per-bar rule still wins where it is smaller.
    expect(yardstick(300_000, 0.0001, 1000, h, 30_000, h)).toBeCloseTo(0.0001 * Math.sqrt(300), 12);
  });
});

describe('moveSteps', () => {
  it('counts a move in price increments, and is unbounded while the increment is unknown', () => {
    const m = { ...emptyMove(), close: 1.03, priceStep: 0.01 };
    expect(moveSteps(m, 1)).toBeCloseTo(3, 9);
    expect(moveSteps(m, 1.05)).toBeCloseTo(2, 9);
    expect(moveSteps({ ...m, priceStep: 0 }, 1)).toBe(Infinity);
  });
});
