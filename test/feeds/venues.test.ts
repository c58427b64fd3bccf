import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CcxtHistory } from '../../src/engine/feeds/ccxt-history.js';
import { createCcxtExchange } from '../../src/engine/feeds/ccxt-exchange.js';
import { wireSymbol } from '../../src/engine/feeds/capabilities.js';
import { WsFeed } from '../../src/engine/feeds/ws-feed.js';
import { hasRecordings } from '../fakes/exchanges/recordings.js';
import { calmTrades, recordedFrames, startFakeExchange, type FakeExchange, type FakeVenue } from '../fakes/exchanges/index.js';
import { FAST, PROTOCOLS, RecordingSink, SYMBOL, until, VENUES } from './helpers.js';

const clock = { now: () => Date.now() };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function fake(venue: FakeVenue, opts: Parameters<typeof startFakeExchange>[1] = {}): Promise<FakeExchange> {
  const f = await startFakeExchange(venue, opts);
  cleanup.push(() => f.close());
  return f;
}

function feed(venue: FakeVenue, f: FakeExchange, sink: RecordingSink, symbols = [SYMBOL[venue]], extra: Partial<ConstructorParameters<typeof WsFeed>[0]> = {}): WsFeed {
  const feed = new WsFeed({ protocol: PROTOCOLS[venue], symbols, sink, clock, wsUrl: f.wsUrl, tuning: FAST, ...extra });
  cleanup.push(() => feed.stop());
  return feed;
}

/** The nested key layout of a JSON value: what "same format" means for frames. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, shape(x)]);
  return typeof v;
}

/** Opens a raw client, subscribes the way the adapter does, and collects frames. */
async function rawClient(venue: FakeVenue, f: FakeExchange, symbols: string[]): Promise<{ ws: WebSocket; frames: string[] }> {
  const p = PROTOCOLS[venue];
  const ws = new WebSocket(p.connectUrl(f.wsUrl));
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(d.toString()));
  await new Promise((r) => ws.once('open', r));
  let id = 0;
  for (const m of p.subscribeMessages(symbols.map((s) => wireSymbol(s, p.caps.symbolFormat)), () => ++id)) ws.send(m);
  cleanup.push(async () => void ws.terminate());
  return { ws, frames };
}

const RECORDED_TRADE: Record<FakeVenue, [string, string] | null> = {
  binance: ['binance', 'aggTrade'],
  coinbase: ['coinbase_advanced_trade', 'market_trades'],
  kraken: null,
  okx: ['okx', 'trades'],
  bybit: ['bybit_v5', 'publicTrade'],
};

describe.each(VENUES)('%s: fake venue and native adapter', (venue) => {
  const sym = SYMBOL[venue];

  it('GIVEN a subscription THEN live trades arrive normalised to Tick (unified symbol, taker side, venue id)', async () => {
    const f = await fake(venue);
    const sink = new RecordingSink();
    const fd = feed(venue, f, sink);
    await fd.start();
    await until(() => f.subscribers(sym) === 1 && fd.status(venue, sym) === 'live', 10_000, 'subscribed');
    const t0 = Date.now();
    const sent = f.trade(sym, [
      { ts: t0, price: 60123.45, qty: 0.25, side: 'buy' },
      { ts: t0 + 7, price: 60120.5, qty: 1.5, side: 'sell' },
    ]);
    await until(() => sink.live().length >= 2, 5_000, 'two trades');
    expect(sink.live()).toEqual(
      sent.map((t) => ({ venue, symbol: sym, ts: t.ts, price: t.price, qty: t.qty, side: t.side, id: expect.stringContaining(String(t.id)) as unknown })),
    );
    expect(fd.counters()).toMatchObject({ connects: 1, ticks: 2, dropped: {} });
  });

  it('the trade frames it sends keep the recorded format (only values change)', async (ctx) => {
    // Without ../shared/data/wire there is no recording to compare with; the fallback-fixture suite below covers that case.
    if (RECORDED_TRADE[venue] && !hasRecordings()) return ctx.skip('recordings absent: ../shared/data/wire');
    const f = await fake(venue);
    const { frames } = await rawClient(venue, f, [sym]);
    await until(() => f.subscribers(sym) === 1, 5_000, 'subscriber');
    f.trade(sym, [{ ts: Date.now(), price: 61000, qty: 0.1, side: 'buy' }]);
    const isTrade = (s: string) => s.includes('aggTrade') || s.includes('"market_trades"') || s.includes('"trades"') || s.includes('publicTrade') || s.includes('"channel":"trade"');
    // The price as a value ("61000", 61000, "61000.00"), not digits inside a timestamp such as
    // 10.761000Z, and not a subscription acknowledgement that names the trade channel.
    const carriesPrice = (x: string) => isTrade(x) && !x.includes('"subscriptions"') && /[":[]61000(?:\.0+)?[",\]}]/.test(x);
    await until(() => frames.some(carriesPrice), 5_000, 'trade frame');
    const mine = JSON.parse(frames.find(carriesPrice) ?? '') as unknown;
    const src = RECORDED_TRADE[venue];
    const recorded = src ? recordedFrames(...src).find((x) => isTrade(x) && !x.includes('"event"') && !x.includes('{"type":"snapshot"')) : undefined;
    if (recorded !== undefined) expect(shape(mine)).toEqual(shape(JSON.parse(recorded)));
    else expect(shape(mine)).toEqual(shape({ channel: '', type: '', data: [{ symbol: '', side: '', price: 0, qty: 0, ord_type: '', trade_id: 0, timestamp: '' }] }));
  });

  it('GIVEN malformed and unexpected frames THEN they are dropped and counted per kind, and trades keep flowing', async () => {
    const f = await fake(venue);
    const sink = new RecordingSink();
    const fd = feed(venue, f, sink);
    await fd.start();
    await until(() => fd.status(venue, sym) === 'live' && f.subscribers(sym) === 1, 10_000, 'live');
    f.sendRaw('{"broken json');
    f.sendRaw('{"surprise":true}');
    f.sendRaw('{"broken json again');
    f.trade(sym, [{ ts: Date.now(), price: 60000, qty: 1, side: 'buy' }]);
    await until(() => sink.live().length === 1, 5_000, 'trade after junk');
    expect(fd.counters().dropped).toEqual({ json: 2, unexpected: 1 });
    expect(fd.status(venue, sym)).toBe('live');
  });

  it('ccxt loads the fake\'s markets and reads its trade and candle history over REST', async () => {
    const f = await fake(venue);
    const now = Date.now();
    const start = now - 10 * 60_000;
    f.addHistory(sym, calmTrades({ start, seconds: 9 * 60, price: 60_000, rate: 1, seed: 3 }));
    const ex = await createCcxtExchange(venue, false, { restUrl: f.restUrl });
    const markets = await ex.loadMarkets();
    expect(markets[sym]).toBeDefined();
    const h = new CcxtHistory(ex, venue, PROTOCOLS[venue].caps);
    const trades = await h.trades(sym, now - 5 * 60_000, now);
    const expected = f.trades(sym).filter((t) => t.ts >= now - 5 * 60_000);
    // 'recent' venues serve only their newest trades; the others reach back to `since`.
    const n = PROTOCOLS[venue].caps.tradesPaging === 'recent' ? Math.min(expected.length, PROTOCOLS[venue].caps.maxTradesPerRequest) : expected.length;
    expect(trades.length).toBe(n);
    expect(trades.map((t) => t.price)).toEqual(expected.slice(-n).map((t) => t.price));
    const bars = await h.candles(sym, start - 60_000, now);
    expect(bars.length).toBeGreaterThanOrEqual(8);
    expect(bars.every((b, i) => i === 0 || b.ts - bars[i - 1].ts === 60_000)).toBe(true);
  });
});

describe('venue handshakes and keep-alive', () => {
  it.each(['kraken', 'okx', 'bybit'] as const)('%s: the adapter sends the venue\'s application ping and the fake answers with its pong', async (venue) => {
    const f = await fake(venue, { idleLimitMs: 400 });
    const sink = new RecordingSink();
    const fd = feed(venue, f, sink, [SYMBOL[venue]], { tuning: { ...FAST, pingIntervalMs: 60 } });
    await fd.start();
    const ping = PROTOCOLS[venue].pingMessage?.(() => 1) ?? '';
    const isPing = (m: string) => m === ping || m.replace(/"req_id":\d+/, '"req_id":1') === ping;
    await until(() => f.received.filter(isPing).length >= 3, 5_000, 'pings');
    // OKX closes a connection nobody pings within its idle limit: the pings keep it open.
    await new Promise((r) => setTimeout(r, 500));
    expect(f.counters.connections).toBe(1);
    expect(fd.counters().disconnects).toBe(0);
  });

  it('binance: the server\'s ping frames are answered and the adapter\'s own ping frames get pongs', async () => {
    const f = await fake('binance', { pingMs: 50 });
    const sink = new RecordingSink();
    const fd = feed('binance', f, sink, ['BTC/USDT'], { tuning: { ...FAST, pingIntervalMs: 50, silenceMs: 400 } });
    await fd.start();
    await until(() => fd.status('binance', 'BTC/USDT') === 'live', 5_000, 'live');
    // No trades at all for longer than the silence limit: pongs alone keep the connection healthy.
    await new Promise((r) => setTimeout(r, 700));
    expect(fd.counters()).toMatchObject({ stalls: 0, connects: 1 });
  });

  it('coinbase: a connection that does not subscribe in time is closed by the venue', async () => {
    const f = await fake('coinbase', { subscribeDeadlineMs: 100 });
    const ws = new WebSocket(f.wsUrl);
    cleanup.push(async () => void ws.terminate());
    const code = await new Promise<number>((r) => ws.once('close', (c) => r(c)));
    expect(code).toBe(1000);
  });

  it('coinbase: the heartbeats subscription keeps frames coming while no one trades', async () => {
    const f = await fake('coinbase', { heartbeatMs: 40 });
    const sink = new RecordingSink();
    const fd = feed('coinbase', f, sink, ['BTC/USD'], { tuning: { ...FAST, silenceMs: 400 } });
    await fd.start();
    await new Promise((r) => setTimeout(r, 700));
    expect(fd.counters().frames).toBeGreaterThan(5);
    expect(fd.counters().stalls).toBe(0);
  });

  it.each(['coinbase', 'kraken', 'okx', 'bybit'] as const)('%s: GIVEN an unknown symbol THEN the venue\'s refusal is counted, the known symbol still streams', async (venue) => {
    const f = await fake(venue);
    const sink = new RecordingSink();
    const fd = feed(venue, f, sink, [SYMBOL[venue], 'NOPE/USDT']);
    await fd.start();
    await until(() => (fd.counters().dropped.venue_error ?? 0) >= 1, 5_000, 'refusal');
    f.trade(SYMBOL[venue], [{ ts: Date.now(), price: 1, qty: 1, side: 'buy' }]);
    await until(() => sink.live().length === 1, 5_000, 'trade');
  });

  it('many symbols share connections within the venue\'s per-subscribe limit (bybit: 10 topics a request)', async () => {
    const f = await fake('bybit');
    const sink = new RecordingSink();
    const syms = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'DOGE/USDT', 'ADA/USDT', 'LTC/USDT', 'DOT/USDT', 'LINK/USDT', 'TRX/USDT', 'AVAX/USDT', 'BCH/USDT'];
    const fd = feed('bybit', f, sink, syms);
    await fd.start();
    await until(() => f.subscribers('AVAX/USDT') === 1 && f.subscribers('BTC/USDT') === 1, 5_000, 'all subscribed');
    const subs = f.received.filter((m) => m.includes('"subscribe"')).map((m) => (JSON.parse(m) as { args: string[] }).args.length);
    expect(subs).toEqual([10, 2]);
    expect(f.counters.connections).toBe(1);
  });
});

describe.each(VENUES)('%s: the fallback fixtures (used where the recordings are absent) work like the recordings', (venue) => {
  it('ccxt loads the fixture markets and the adapter streams fixture-format trades', async () => {
    const f = await fake(venue, { recordings: false });
    const sym = SYMBOL[venue];
    const ex = await createCcxtExchange(venue, false, { restUrl: f.restUrl });
    expect((await ex.loadMarkets())[sym]).toBeDefined();
    const sink = new RecordingSink();
    const fd = feed(venue, f, sink);
    await fd.start();
    await until(() => fd.status(venue, sym) === 'live' && f.subscribers(sym) === 1, 10_000, 'live');
    f.trade(sym, [{ ts: Date.now(), price: 123.45, qty: 0.5, side: 'sell' }]);
    await until(() => sink.live().length === 1, 5_000, 'trade');
    expect(sink.live()[0]).toMatchObject({ venue, symbol: sym, price: 123.45, qty: 0.5, side: 'sell' });
    expect(fd.counters().dropped).toEqual({});
  });
});
