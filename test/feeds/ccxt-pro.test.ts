import { afterEach, describe, expect, it } from 'vitest';
import { CcxtHistory } from '../../src/engine/feeds/ccxt-history.js';
import { CcxtProFeed } from '../../src/engine/feeds/ccxt-pro-feed.js';
import { createCcxtExchange } from '../../src/engine/feeds/ccxt-exchange.js';
import { VENUE_CAPABILITIES } from '../../src/engine/feeds/capabilities.js';
import { FakeBinance } from '../fakes/exchanges/index.js';
import { FAST, RecordingSink, until } from './helpers.js';

const clock = { now: () => Date.now() };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function setup(withHistory: boolean, tuning = FAST) {
  const f = await new FakeBinance().start();
  cleanup.push(() => f.close());
  const ex = await createCcxtExchange('binance', true, { restUrl: f.restUrl, wsUrl: f.wsUrl });
  const rest = await createCcxtExchange('binance', false, { restUrl: f.restUrl });
  const history = withHistory ? new CcxtHistory(rest, 'binance', VENUE_CAPABILITIES.binance) : undefined;
  const sink = new RecordingSink();
  const feed = new CcxtProFeed({ venue: 'binance', exchange: ex, symbols: ['BTC/USDT', 'ETH/USDT'], sink, clock, history, tuning, backfill: { warmStart: false } });
  cleanup.push(() => feed.stop());
  return { f, sink, feed };
}

describe('the long tail: any ccxt pro exchange through watchTrades', () => {
  it('GIVEN ccxt pro\'s own client pointed at the fake THEN trades of several symbols arrive as Ticks', async () => {
    const { f, sink, feed } = await setup(false);
    await feed.start();
    await until(() => f.subscribers('BTC/USDT') === 1 && f.subscribers('ETH/USDT') === 1, 15_000, 'ccxt subscribed');
    // ccxt pro speaks to the raw endpoint with SUBSCRIBE.
    expect(f.received.some((m) => m.includes('"SUBSCRIBE"') && m.includes('btcusdt@aggTrade'))).toBe(true);
    const t0 = Date.now();
    f.trade('BTC/USDT', [{ ts: t0, price: 60000.5, qty: 0.2, side: 'sell' }]);
    f.trade('ETH/USDT', [{ ts: t0 + 1, price: 3000.25, qty: 1.5, side: 'buy' }]);
    await until(() => sink.live().length === 2, 10_000, 'two trades');
    const byId = Object.fromEntries(sink.live().map((t) => [t.symbol, t]));
    expect(byId['BTC/USDT']).toMatchObject({ venue: 'binance', ts: t0, price: 60000.5, qty: 0.2, side: 'sell' });
    expect(byId['ETH/USDT']).toMatchObject({ venue: 'binance', ts: t0 + 1, price: 3000.25, qty: 1.5, side: 'buy' });
    expect(feed.status('binance', 'BTC/USDT')).toBe('live');
  });

  it('GIVEN the connection drops THEN the rejected watchTrades is caught and counted, the loop reconnects and the gap is backfilled', async () => {
    const { f, sink, feed } = await setup(true);
    await feed.start();
    await until(() => f.subscribers('BTC/USDT') === 1, 15_000, 'subscribed');
    const t0 = Date.now() - 60_000;
    f.trade('BTC/USDT', [{ ts: t0, price: 100, qty: 1, side: 'buy' }]);
    await until(() => sink.live().length === 1, 10_000, 'first trade');
    await until(() => feed.status('binance', 'BTC/USDT') === 'live', 10_000, 'live');

    f.down = true;
    f.drop();
    await until(() => feed.status('binance', 'BTC/USDT') === 'reconnecting', 10_000, 'reconnecting');
    const gap = f.trade('BTC/USDT', [1, 2, 3].map((i) => ({ ts: t0 + i * 1000, price: 100 + i, qty: 1, side: 'buy' as const })));
    f.down = false;
    await until(() => f.subscribers('BTC/USDT') === 1, 15_000, 'resubscribed');
    f.trade('BTC/USDT', [{ ts: t0 + 5000, price: 105, qty: 1, side: 'buy' }]);
    await until(() => sink.ticks.filter((t) => t.tick.symbol === 'BTC/USDT').length === 5, 15_000, 'gap and live');
    const btc = sink.ticks.filter((t) => t.tick.symbol === 'BTC/USDT');
    expect(btc.map((t) => t.tick.price)).toEqual([100, 101, 102, 103, 105]);
    expect(btc.filter((t) => t.origin === 'backfill').map((t) => t.tick.id)).toEqual(gap.map((t) => String(t.id)));
    const c = feed.counters();
    expect(c.errors).toBeGreaterThanOrEqual(1);
    expect(c.disconnects).toBeGreaterThanOrEqual(1);
    // A ccxt stream counts as connected with its first result (ETH never traded here).
    expect(c.connects).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN the feed waits out a long reconnect backoff THEN stop ends its loops at once instead of holding the process open for the wait', async () => {
    const SLOW = { ...FAST, backoff: { initialMs: 120_000, maxMs: 120_000, factor: 2, jitter: 0, resetAfterMs: 5_000 } };
    const { f, feed } = await setup(false, SLOW);
    await feed.start();
    await until(() => f.subscribers('BTC/USDT') === 1, 15_000, 'subscribed');
    f.trade('BTC/USDT', [{ ts: Date.now(), price: 100, qty: 1, side: 'buy' }]);
    await until(() => feed.status('binance', 'BTC/USDT') === 'live', 10_000, 'live');
    f.down = true;
    f.drop();
    await until(() => feed.status('binance', 'BTC/USDT') === 'reconnecting', 10_000, 'in backoff');
    const loops = (feed as unknown as { loops: Promise<void>[] }).loops;
    await feed.stop();
    const ended = await Promise.race([Promise.all(loops).then(() => 'ended'), new Promise((r) => setTimeout(r, 10_000, 'still waiting'))]);
    expect(ended).toBe('ended');
  });
});
