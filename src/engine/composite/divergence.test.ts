import { describe, expect, it } from 'vitest';
import { Rng } from '../core/math.js';
import type { AlertEvent } from '../core/types.js';
import { CompositeBook } from './composite.js';
import { DivergenceDetector } from './divergence.js';

const T0 = Date.UTC(2025, 0, 1);

/** Three venues on one random walk with small venue noise; `shift(venue, i)` bends one of them. */
function run(bars: number, shift: (venue: string, i: number) => number = () => 1, basis: Record<string, number> = {}) {
  const rng = new Rng(3);
  const book = new CompositeBook({ freshMs: 5_000 });
  const det = new DivergenceDetector(book, { warmupBars: 60 });
  const alerts: AlertEvent[] = [];
  let p = 60_000;
  for (let i = 0; i < bars; i++) {
    p *= Math.exp(rng.normal() * 0.0003);
    for (const v of ['binance', 'okx', 'kraken']) {
      const price = p * (basis[v] ?? 1) * (1 + rng.normal() * 0.0001) * shift(v, i);
      const ts = T0 + (i + 1) * 1_000;
      book.update(v, 'BTC/USDT', ts, price);
      alerts.push(...det.onBar({ venue: v, symbol: 'BTC/USDT', barTs: ts - 1_000, ts, price, quoteVolume: 1_000, origin: 'live', afterGap: false }));
    }
  }
  return alerts;
}

describe('DivergenceDetector', () => {
  it('GIVEN three venues that agree THEN no alert', () => {
    expect(run(2_000)).toEqual([]);
  });

  it('GIVEN one venue jumps 3% away while two agree THEN one alert, for that venue only', () => {
    const alerts = run(600, (v, i) => (v === 'kraken' && i >= 400 && i < 430 ? 1.03 : 1));
    expect(alerts).toHaveLength(1);
    const a = alerts[0];
    expect(a).toMatchObject({ venue: 'kraken', symbol: 'BTC/USDT', direction: 'up', rules: ['divergence'], late: false });
    expect(a.change.pct).toBeGreaterThan(2.9);
    expect(a.consensus).toEqual({ kind: 'venue-specific', confirming: ['kraken'], fresh: ['binance', 'kraken', 'okx'] });
    expect(a.explanation).toMatch(/^BTC\/USDT on kraken is [23]\.\d\d% above the composite of binance, kraken, okx/);
    expect(a.id).toMatch(/^divergence-kraken-BTCUSDT-\d+-up-/);
    expect(a.score).toBeGreaterThan(0.99);
  });

  it('learns a venue\'s own basis: a steady 0.8% premium is its normal, not a divergence', () => {
    expect(run(1_500, () => 1, { kraken: 1.008 })).toEqual([]);
  });

  it('re-arms after the venue comes back: a second break later alerts again', () => {
    const alerts = run(1_200, (v, i) => (v === 'okx' && ((i >= 300 && i < 310) || (i >= 900 && i < 910)) ? 0.96 : 1));
    expect(alerts.map((a) => [a.venue, a.direction])).toEqual([['okx', 'down'], ['okx', 'down']]);
  });

  it('needs three fresh venues: with two, which one broke away is unknown', () => {
    const book = new CompositeBook();
    const det = new DivergenceDetector(book, { warmupBars: 0 });
    book.update('a', 'S', 1_000, 100);
    book.update('b', 'S', 1_000, 150);
    expect(det.onBar({ venue: 'b', symbol: 'S', barTs: 0, ts: 1_000, price: 150, quoteVolume: 0, origin: 'live', afterGap: false })).toEqual([]);
  });

  /** Four venues; each second `trades(v, i)` says whether venue v has a bar, at price `price(v, i)`. */
  function schedule(seconds: number, trades: (v: string, i: number) => boolean, price: (v: string, i: number) => number) {
    const book = new CompositeBook();
    const det = new DivergenceDetector(book, { warmupBars: 60 });
    const rng = new Rng(5);
    const alerts: AlertEvent[] = [];
    for (let i = 0; i < seconds; i++) {
      for (const v of ['a', 'b', 'c', 'd']) {
        if (!trades(v, i)) continue;
        const ts = T0 + (i + 1) * 1_000;
        const p = price(v, i) * (1 + rng.normal() * 0.0001);
        book.update(v, 'S', ts, p);
        alerts.push(...det.onBar({ venue: v, symbol: 'S', barTs: ts - 1_000, ts, price: p, quoteVolume: 1_000, origin: 'live', afterGap: false }));
      }
    }
    return alerts;
  }

  it('GIVEN the whole market jumps 1% and one venue trades first THEN no divergence: the others trade at the new price before it is judged', () => {
    // b, c and d are thin: they trade every 5th second, so for up to 5 s their last prices are
    // from before the jump while a already trades after it.
    const jump = (i: number) => (i >= 503 ? 1.01 : 1);
    const alerts = schedule(600, (v, i) => v === 'a' || i % 5 === 0, (_v, i) => 100 * jump(i));
    expect(alerts).toEqual([]);
  });

  it('GIVEN a venue breaks away 3% while thin others trade seconds later THEN one alert once they have traded, about its first bar away', () => {
    const alerts = schedule(600, (v, i) => v === 'a' || i % 5 === 0, (v, i) => 100 * (v === 'a' && i >= 503 && i < 540 ? 1.03 : 1));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ venue: 'a', direction: 'up', barTs: T0 + 503_000, ts: T0 + 506_000 });
    // Judged once two others (b, then c) have traded since: against them, not d's older price.
    expect(alerts[0].explanation).toMatch(/above the composite of a, b, c \(/);
  });

  it('GIVEN a slow venue that prints the old price once after a 1% market jump, then catches up THEN no divergence', () => {
    // a, b and c move at 503 s; d's trade in that second still carries the price of a second ago.
    const alerts = schedule(600, () => true, (v, i) => 100 * (i >= (v === 'd' ? 504 : 503) ? 1.01 : 1));
    expect(alerts).toEqual([]);
  });
});
