import { describe, expect, it } from 'vitest';
import { BarBuilder, BarRing, BAR_RING_BYTES_PER_BAR } from './bar-ring.js';

describe('BarRing', () => {
  it('keeps the newest `capacity` bars, oldest first in range()', () => {
    const r = new BarRing(3, 1000);
    for (let i = 0; i < 5; i++) r.push(i * 1000, i, i + 1, i - 1, i, 1, i, 0.5, 0.5, 2);
    expect(r.length).toBe(3);
    expect(r.range().map((b) => b.ts)).toEqual([2000, 3000, 4000]);
    expect(r.lastTs).toBe(4000);
    expect(r.close[r.slot(0)]).toBe(4);
    expect(r.close[r.slot(2)]).toBe(2);
  });

  it('refuses a bar that is not newer than the newest', () => {
    const r = new BarRing(3, 1000);
    r.push(1000, 1, 1, 1, 1, 1, 1, 0, 0, 1);
    expect(() => r.push(1000, 1, 1, 1, 1, 1, 1, 0, 0, 1)).toThrow(/not after/);
  });

  it('holds prices to the cent at BTC scale (Float64), and reports its fixed size', () => {
    const r = new BarRing(900, 1000);
    r.push(0, 123456.78, 123456.79, 123456.77, 123456.78, 1, 1, 0, 0, 1);
    expect(r.close[r.slot(0)]).toBe(123456.78);
    expect(r.byteSize()).toBe(900 * BAR_RING_BYTES_PER_BAR);
  });
});

describe('BarBuilder', () => {
  it('builds OHLCV, buy/sell volume and the largest same-millisecond cluster', () => {
    const b = new BarBuilder();
    b.start(0);
    b.add(10, 100, 1, 'buy');
    b.add(10, 102, 2, 'buy');
    b.add(10, 99, 1, 'sell');
    b.add(20, 101, 1, undefined);
    const bar = b.toBar();
    expect(bar).toMatchObject({ open: 100, high: 102, low: 99, close: 101, volume: 5, trades: 4, buyVolume: 3, sellVolume: 1 });
    expect(bar.quoteVolume).toBeCloseTo(100 + 204 + 99 + 101);
    expect(b.maxSameMs).toBe(3);
  });

  it('a late tick inside the bar updates high/low/volume but not the close', () => {
    const b = new BarBuilder();
    b.start(0);
    b.add(500, 100, 1, 'buy');
    b.add(300, 90, 1, 'sell');
    expect(b.close).toBe(100);
    expect(b.low).toBe(90);
    expect(b.trades).toBe(2);
  });

  it('settled prices leave out the deeper fills of one order: each millisecond counts at its first fill', () => {
    const b = new BarBuilder();
    b.start(0);
    b.add(10, 100, 1, 'sell');
    // One market buy sweeping three levels, then a sell back at the bid; then a sweep down.
    b.add(20, 100.1, 1, 'buy');
    b.add(20, 100.5, 1, 'buy');
    b.add(20, 106, 1, 'buy');
    b.add(30, 100, 1, 'sell');
    b.add(40, 99.9, 1, 'sell');
    b.add(40, 95, 1, 'sell');
    expect(b.toBar()).toMatchObject({ high: 106, low: 95, close: 95 });
    expect({ low: b.settledLow, high: b.settledHigh, close: b.settledClose }).toEqual({ low: 99.9, high: 100.1, close: 99.9 });
    // A late trade is an order of its own for the settled low and high, never the close.
    b.add(15, 99.5, 1, 'sell');
    expect({ low: b.settledLow, close: b.settledClose }).toEqual({ low: 99.5, close: 99.9 });
  });

  it('a whole bar folded in settles at its own low, high and close', () => {
    const b = new BarBuilder();
    b.start(0);
    b.addBar(100, 104, 97, 101, 1, 100, 0.5, 0.5, 3);
    expect({ low: b.settledLow, high: b.settledHigh, close: b.settledClose }).toEqual({ low: 97, high: 104, close: 101 });
  });
});

