import { afterEach, describe, expect, it } from 'vitest';
import { Engine, InlineTrainer, StaticRuleSource, presetRule, type AlertEvent } from '../../src/engine/index.js';
import { CcxtHistory } from '../../src/engine/feeds/ccxt-history.js';
import { createCcxtExchange } from '../../src/engine/feeds/ccxt-exchange.js';
import { VENUE_CAPABILITIES } from '../../src/engine/feeds/capabilities.js';
import { WsFeed } from '../../src/engine/feeds/ws-feed.js';
import { calmTrades, FakeBinance, type NewTrade } from '../fakes/exchanges/index.js';
import { FAST, PROTOCOLS, RecordingSink, until } from './helpers.js';

const SYM = 'BTC/USDT';
const clock = { now: () => Date.now() };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

function engine(alerts: AlertEvent[] = []): Engine {
  return new Engine({ clock, rules: new StaticRuleSource([presetRule('high')]), sink: { publish: (a) => void alerts.push(a) }, trainer: new InlineTrainer() });
}

async function binance(): Promise<FakeBinance> {
  const f = await new FakeBinance().start();
  cleanup.push(() => f.close());
  return f;
}

async function feedFor(f: FakeBinance, e: Engine, warmStart: boolean): Promise<WsFeed> {
  const ex = await createCcxtExchange('binance', false, { restUrl: f.restUrl });
  const history = new CcxtHistory(ex, 'binance', VENUE_CAPABILITIES.binance);
  const feed = new WsFeed({ protocol: PROTOCOLS.binance, symbols: [SYM], sink: e, clock, history, wsUrl: f.wsUrl, tuning: FAST, backfill: { warmStart, retryDelayMs: 50 } });
  cleanup.push(() => feed.stop());
  return feed;
}

describe('warm start and gap backfill, through the engine', () => {
  it('GIVEN a warm start from REST history THEN a real-format spike a moment later alerts, live and not late', async () => {
    const f = await binance();
    const now = Date.now();
    // 30 calm minutes before start, served over REST only (the engine needs history before it may
    // alert): the last 15 as trades for the short window, the older ones as 1-minute candles.
    f.addHistory(SYM, calmTrades({ start: now - 30 * 60_000, seconds: 30 * 60 - 2, price: 60_000, rate: 3, vol: 0.0001, seed: 11 }));
    const alerts: AlertEvent[] = [];
    const e = engine(alerts);
    const feed = await feedFor(f, e, true);
    const statuses: string[] = [];
    feed.onStatus((c) => statuses.push(c.status));
    await feed.start();
    await until(() => feed.status('binance', SYM) === 'live', 20_000, 'warm start done');
    expect(statuses).toEqual(['backfilling', 'live']);
    const s = e.find('binance', SYM);
    expect(s?.barsSeen).toBeGreaterThan(500);
    expect(feed.counters().backfilledTicks).toBeGreaterThan(2000);
    // Candles older than the first backfilled trade fill the long window.
    expect(feed.counters().backfilledBars).toBeGreaterThanOrEqual(14);
    expect(s!.bars('long').length).toBeGreaterThanOrEqual(28);
    expect(alerts).toEqual([]);

    const spike = f.spike(SYM, 8, { trades: 60, spanMs: 20_000 });
    const top = spike.at(-1)!;
    const after: NewTrade[] = [1, 2, 3].map((i) => ({ ts: top.ts + i * 1_000, price: top.price, qty: 0.1, side: 'sell' }));
    f.trade(SYM, after);
    await until(() => alerts.length > 0, 10_000, 'an alert');
    expect(alerts[0]).toMatchObject({ venue: 'binance', symbol: SYM, direction: 'up', late: false });
    expect(alerts[0].change.pct).toBeGreaterThanOrEqual(0.5);
  });

  it('GIVEN the venue drops the connection mid-stream THEN the gap is backfilled from REST and the windows equal an uninterrupted run', async () => {
    const steady = await binance();
    const dropped = await binance();
    const eA = engine();
    const eB = engine();
    const feedA = await feedFor(steady, eA, false);
    const feedB = await feedFor(dropped, eB, false);
    await Promise.all([feedA.start(), feedB.start()]);
    await until(() => feedA.status('binance', SYM) === 'live' && feedB.status('binance', SYM) === 'live', 10_000, 'both live');
    await until(() => steady.subscribers(SYM) === 1 && dropped.subscribers(SYM) === 1, 10_000, 'both subscribed');

    const all = calmTrades({ start: Date.now() - 6 * 60_000, seconds: 5 * 60, price: 60_000, rate: 6, seed: 5 });
    const third = Math.floor(all.length / 3);
    const [before, gap, afterGap] = [all.slice(0, third), all.slice(third, 2 * third), all.slice(2 * third)];
    const both = (ts: NewTrade[]) => {
      steady.trade(SYM, ts);
      dropped.trade(SYM, ts);
    };
    both(before);
    await until(() => eA.stats().ticks === before.length && eB.stats().ticks === before.length, 10_000, 'first third');

    // The outage: one venue cuts the connection and refuses new ones while the market trades on.
    dropped.down = true;
    dropped.drop();
    await until(() => feedB.status('binance', SYM) === 'reconnecting', 5_000, 'reconnecting');
    both(gap);
    await until(() => eA.stats().ticks === before.length + gap.length, 10_000, 'steady run saw the gap');
    const seen: string[] = [];
    feedB.onStatus((c) => seen.push(c.status));
    dropped.down = false;
    await until(() => feedB.status('binance', SYM) === 'live' && dropped.subscribers(SYM) === 1, 10_000, 'back and backfilled');
    expect(seen).toEqual(['backfilling', 'live']);
    expect(dropped.requests.some((r) => r.startsWith('GET /api/v3/aggTrades'))).toBe(true);

    both(afterGap);
    await until(() => eA.stats().ticks === all.length && eB.stats().ticks === all.length, 10_000, 'every trade in both engines');
    eA.flush();
    eB.flush();
    const a = eA.find('binance', SYM)!;
    const b = eB.find('binance', SYM)!;
    expect(b.bars('short')).toEqual(a.bars('short'));
    expect(b.bars('long')).toEqual(a.bars('long'));
    expect(eB.stats()).toMatchObject({ late: 0, duplicates: 0 });
    expect(feedB.counters()).toMatchObject({ disconnects: 1, backfilledTicks: gap.length });
  });

  it('GIVEN windows restored up to a point THEN the first backfill fills the gap from there instead of warming afresh', async () => {
    const f = await binance();
    const now = Date.now();
    f.addHistory(SYM, calmTrades({ start: now - 10 * 60_000, seconds: 590, price: 60_000, seed: 4 }));
    const resume = now - 2 * 60_000;
    const sink = new RecordingSink();
    const ex = await createCcxtExchange('binance', false, { restUrl: f.restUrl });
    const history = new CcxtHistory(ex, 'binance', VENUE_CAPABILITIES.binance);
    const feed = new WsFeed({ protocol: PROTOCOLS.binance, symbols: [SYM], sink, clock, history, wsUrl: f.wsUrl, tuning: FAST, resumeFrom: () => resume });
    cleanup.push(() => feed.stop());
    const reasons: string[] = [];
    feed.onStatus((c) => reasons.push(`${c.status} ${c.reason}`));
    await feed.start();
    await until(() => feed.status('binance', SYM) === 'live', 10_000, 'live');
    expect(reasons).toEqual(['backfilling gap', 'live backfill done']);
    const expected = f.trades(SYM).filter((t) => t.ts > resume);
    expect(sink.ticks.map((t) => t.tick.id)).toEqual(expected.map((t) => String(t.id)));
    expect(sink.longBars).toEqual([]);
  });

  it('GIVEN REST history fails THEN live trades still flow after the retries, and the failure is counted', async () => {
    const f = await binance();
    const e = engine();
    const ex = await createCcxtExchange('binance', false, { restUrl: 'http://127.0.0.1:1' });
    const history = new CcxtHistory(ex, 'binance', VENUE_CAPABILITIES.binance);
    const feed = new WsFeed({ protocol: PROTOCOLS.binance, symbols: [SYM], sink: e, clock, history, wsUrl: f.wsUrl, tuning: FAST, backfill: { attempts: 2, retryDelayMs: 20 } });
    cleanup.push(() => feed.stop());
    await feed.start();
    await until(() => feed.status('binance', SYM) === 'live' && f.subscribers(SYM) === 1, 10_000, 'live despite REST');
    expect(feed.counters().backfillErrors).toBe(2);
    f.trade(SYM, [{ ts: Date.now(), price: 1, qty: 1, side: 'buy' }]);
    await until(() => e.stats().ticks === 1, 5_000, 'a live trade');
  });
});
