import { describe, expect, it } from 'vitest';
import { BarRing } from './bar-ring.js';
import { emptyMove, moveSigmas, windowMove } from './move.js';

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
});
