import { describe, expect, it } from 'vitest';
import type { StreamStatus } from '../ports/feed.js';
import { CompositeBook, median } from './composite.js';

describe('CompositeBook', () => {
  it('is the median of the venues fresh at the moment asked about', () => {
    const b = new CompositeBook({ freshMs: 10_000 });
    b.update('a', 'BTC/USDT', 100_000, 100);
    b.update('b', 'BTC/USDT', 101_000, 102);
    b.update('c', 'BTC/USDT', 99_000, 200);
    expect(b.composite('BTC/USDT')).toEqual({ price: 102, venues: ['a', 'b', 'c'] });
    // c's last bar is 12 s older than the symbol's newest: its price is not news any more.
    b.update('a', 'BTC/USDT', 111_000, 101);
    expect(b.composite('BTC/USDT')).toEqual({ price: 101.5, venues: ['a', 'b'] });
    expect(b.composite('BTC/USDT', 200_000)).toBeUndefined();
  });

  it('GIVEN a status source THEN a venue whose feed is not live is left out, whatever its last price', () => {
    const status: Record<string, StreamStatus> = { a: 'live', b: 'live', c: 'stale' };
    const b = new CompositeBook({ freshMs: 10_000 }, { status: (v) => status[v] });
    for (const [v, p] of [['a', 100], ['b', 101], ['c', 150]] as const) b.update(v, 'X/Y', 1_000, p);
    expect(b.composite('X/Y')).toEqual({ price: 100.5, venues: ['a', 'b'] });
    status.c = 'live';
    expect(b.composite('X/Y')?.venues).toEqual(['a', 'b', 'c']);
    status.a = 'reconnecting';
    status.b = 'backfilling';
    expect(b.composite('X/Y')).toEqual({ price: 150, venues: ['c'] });
  });

  it('keeps the newest bar per venue and ignores an older one arriving late', () => {
    const b = new CompositeBook();
    b.update('a', 'S', 2_000, 10);
    b.update('a', 'S', 1_000, 99);
    expect(b.all('S')).toEqual([{ venue: 'a', price: 10, ts: 2_000 }]);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
