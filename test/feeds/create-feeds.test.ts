import { afterEach, describe, expect, it } from 'vitest';
import { createFeeds, type FeedSet } from '../../src/engine/feeds/index.js';
import { calmTrades, startFakeExchange, type FakeExchange } from '../fakes/exchanges/index.js';
import { FAST, RecordingSink, until } from './helpers.js';

const clock = { now: () => Date.now() };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function fake(v: Parameters<typeof startFakeExchange>[0]): Promise<FakeExchange> {
  const f = await startFakeExchange(v);
  cleanup.push(() => f.close());
  return f;
}

describe('createFeeds: the factory the composition root calls', () => {
  it('GIVEN config pointing venues at local fakes THEN symbols resolve, native and ccxt pro feeds start, warm up and stream', async () => {
    const binance = await fake('binance');
    const okx = await fake('okx');
    const now = Date.now();
    binance.addHistory('BTC/USDT', calmTrades({ start: now - 5 * 60_000, seconds: 290, price: 60_000, seed: 1 }));
    const sink = new RecordingSink();
    const set: FeedSet = createFeeds(
      {
        exchanges: {
          binance: { symbols: ['btc', 'ethusdt', 'BTC-USDT', 'btcusdd'], wsUrl: binance.wsUrl, restUrl: binance.restUrl },
          // The same fake OKX, reached through ccxt pro instead of the native adapter.
          okx: { symbols: ['btc/usdt'], wsUrl: `${okx.wsUrl}/ws/v5`, restUrl: okx.restUrl, native: false },
          kraken: { enabled: false, symbols: ['btc/usd'] },
        },
        tuning: FAST,
        backfill: { warmTradesMs: 5 * 60_000, warmCandleMinutes: 10 },
      },
      sink,
      { clock },
    );
    cleanup.push(() => set.stop());
    const changes: string[] = [];
    set.onStatus((c) => changes.push(`${c.venue} ${c.symbol} ${c.status}`));
    await set.start();
    expect(set.feeds.map((f) => [f.venue, [...f.symbols]])).toEqual([
      ['binance', ['BTC/USDT', 'ETH/USDT']],
      ['okx', ['BTC/USDT']],
    ]);
    expect(set.problems).toEqual([{ venue: 'binance', symbol: 'btcusdd', message: expect.stringContaining('did you mean BTC/USDT') as unknown, suggestions: expect.arrayContaining(['BTC/USDT']) as unknown }]);
    await until(() => set.status('binance', 'BTC/USDT') === 'live', 15_000, 'binance warm and live');
    expect(sink.ticks.filter((t) => t.origin === 'backfill').length).toBeGreaterThan(500);

    await until(() => okx.subscribers('BTC/USDT') === 1 && binance.subscribers('BTC/USDT') === 1, 15_000, 'subscribed');
    okx.trade('BTC/USDT', [{ ts: Date.now(), price: 60_001, qty: 1, side: 'buy' }]);
    binance.trade('BTC/USDT', [{ ts: Date.now(), price: 60_002, qty: 1, side: 'buy' }]);
    await until(() => sink.live().length >= 2, 15_000, 'live trades from both paths');
    expect(new Set(sink.live().map((t) => t.venue))).toEqual(new Set(['binance', 'okx']));
    await until(() => set.status('okx', 'BTC/USDT') === 'live', 15_000, 'okx live');
    expect(changes).toContain('binance BTC/USDT backfilling');
    expect(changes).toContain('okx BTC/USDT live');
    expect(Object.keys(set.counters())).toEqual(['binance', 'okx']);
    expect(set.statuses().map((s) => `${s.venue} ${s.symbol}`).sort()).toEqual(['binance BTC/USDT', 'binance ETH/USDT', 'okx BTC/USDT']);

    // A pair newly watched joins a running feed, warmed from REST history first.
    binance.addHistory('SOL/USDT', calmTrades({ start: Date.now() - 60_000, seconds: 50, price: 150, seed: 2 }));
    set.watch('binance', await set.catalog.resolve('sol', 'binance'));
    await until(() => set.status('binance', 'SOL/USDT') === 'live' && binance.subscribers('SOL/USDT') === 1, 15_000, 'SOL live');
    expect(sink.ticks.some((t) => t.tick.symbol === 'SOL/USDT' && t.origin === 'backfill')).toBe(true);
  });
});
