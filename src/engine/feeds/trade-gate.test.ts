import { describe, expect, it } from 'vitest';
import type { BarOrigin, Tick } from '../core/types.js';
import { emptyCounters } from '../ports/feed.js';
import type { TickSink } from '../ports/tick-sink.js';
import { TradeGate } from './trade-gate.js';

function setup(limit = 100) {
  const got: [number, BarOrigin][] = [];
  const sink: TickSink = { ingest: (t, o = 'live') => (got.push([t.ts, o]), 'ok'), ingestShortBars: () => 0, ingestLongBars: () => 0 };
  const counters = emptyCounters();
  const gate = new TradeGate('v', 'BTC/USDT', sink, counters, limit);
  return { got, gate, counters };
}

const t = (ts: number, id: string): Tick => ({ venue: 'v', symbol: 'BTC/USDT', ts, price: 1, qty: 1, id });

describe('TradeGate', () => {
  it('passes live trades straight through when no backfill runs', () => {
    const { got, gate } = setup();
    gate.live(t(1, 'a'), 0);
    expect(got).toEqual([[1, 'live']]);
  });

  it('GIVEN a backfill THEN history goes first, then the buffered live trades, without repeats', () => {
    const { got, gate, counters } = setup();
    gate.live(t(10, 'a'), 0);
    gate.hold();
    gate.live(t(50, 'e'), 0);
    gate.live(t(60, 'f'), 0);
    expect(counters.buffered).toBe(2);
    // REST returns the edge trade again (10/a), the gap (20..40) and one live trade (50/e) too.
    gate.handOver([t(10, 'a'), t(20, 'b'), t(30, 'c'), t(40, 'd'), t(50, 'e')]);
    // 50/e arrived live and stays live; the history fills only what was missed.
    expect(got).toEqual([[10, 'live'], [20, 'backfill'], [30, 'backfill'], [40, 'backfill'], [50, 'live'], [60, 'live']]);
    expect(counters).toMatchObject({ buffered: 0, backfilledTicks: 3 });
    gate.live(t(70, 'g'), 0);
    expect(got.at(-1)).toEqual([70, 'live']);
  });

  it('keeps trades that share the edge millisecond but are new', () => {
    const { got, gate } = setup();
    gate.live(t(10, 'a'), 0);
    gate.hold();
    gate.handOver([t(10, 'a'), t(10, 'b')]);
    expect(got).toEqual([[10, 'live'], [10, 'backfill']]);
  });

  it('GIVEN a backfill slower than the buffer THEN the oldest buffered trades give way and are counted', () => {
    const { got, gate, counters } = setup(2);
    gate.hold();
    for (let i = 1; i <= 5; i++) gate.live(t(i, String(i)), 0);
    gate.handOver([]);
    expect(got.map((g) => g[0])).toEqual([4, 5]);
    expect(counters.bufferOverflow).toBe(3);
  });
});
