import { describe, expect, it } from 'vitest';
import { EngineBarSource } from './bar-source.js';
import { testEngine } from './testing/harness.js';
import { randomWalk } from './testing/synthetic.js';
import type { AlertEvent } from './core/types.js';

describe('EngineBarSource', () => {
  const start = Date.UTC(2025, 0, 1);
  const run = testEngine([]);
  for (const venue of ['okx', 'binance', 'kraken']) {
    for (const t of randomWalk({ seconds: 2 * 3600, seed: venue.length, venue, symbol: 'BTC/USDT', start })) run.engine.ingest(t);
  }
  for (const t of randomWalk({ seconds: 600, seed: 3, venue: 'binance', symbol: 'ETH/USDT', start })) run.engine.ingest(t);
  run.engine.flush();
  const src = new EngineBarSource(run.engine);

  it('gives every venue carrying the symbol, the alert venue first, 1 s bars for a short range', () => {
    const ts = start + 2 * 3600_000 - 60_000;
    const series = src.seriesAround({ venue: 'okx', symbol: 'BTC/USDT', ts } as AlertEvent, 5 * 60_000, 60_000);
    expect(series.map((s) => s.venue)).toEqual(['okx', 'binance', 'kraken']);
    for (const s of series) {
      expect(s.barMs).toBe(1000);
      expect(s.bars[0].ts).toBeGreaterThanOrEqual(ts - 5 * 60_000);
      expect(s.bars.at(-1)!.ts).toBeLessThan(ts + 60_000);
    }
  });

  it('switches to 1-minute bars when the range is longer than the short window', () => {
    const series = src.seriesFor('BTC/USDT', 2 * 3600_000, 'binance');
    expect(series).toHaveLength(1);
    expect(series[0].barMs).toBe(60_000);
    expect(series[0].bars.length).toBeGreaterThanOrEqual(110);
    expect(src.seriesFor('DOGE/USDT', 3600_000)).toEqual([]);
  });
});
