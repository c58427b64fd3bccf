import { afterEach, describe, expect, it } from 'vitest';
import type { StreamStatus, StreamStatusChange } from '../../src/engine/ports/feed.js';
import { WsFeed } from '../../src/engine/feeds/ws-feed.js';
import { startFakeExchange, type FakeExchange, type FakeVenue } from '../fakes/exchanges/index.js';
import { FAST, PROTOCOLS, RecordingSink, SYMBOL, until } from './helpers.js';

const clock = { now: () => Date.now() };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function setup(venue: FakeVenue, tuning = {}, fakeOpts = {}) {
  const f: FakeExchange = await startFakeExchange(venue, fakeOpts);
  const sink = new RecordingSink();
  const sym = SYMBOL[venue];
  const feed = new WsFeed({ protocol: PROTOCOLS[venue], symbols: [sym], sink, clock, wsUrl: f.wsUrl, tuning: { ...FAST, ...tuning } });
  const changes: StreamStatusChange[] = [];
  feed.onStatus((c) => changes.push(c));
  cleanup.push(() => f.close(), () => feed.stop());
  await feed.start();
  await until(() => feed.status(venue, sym) === 'live' && f.subscribers(sym) === 1, 10_000, 'live');
  return { f, sink, feed, sym, changes, statuses: () => changes.map((c) => c.status) };
}

describe('never silently dead', () => {
  it('GIVEN the venue drops the connection THEN the feed reports reconnecting, reconnects, resubscribes and is live again', async () => {
    const { f, sink, feed, sym, statuses } = await setup('okx');
    f.drop();
    await until(() => feed.status('okx', sym) === 'reconnecting', 5_000, 'reconnecting');
    await until(() => feed.status('okx', sym) === 'live' && f.subscribers(sym) === 1, 5_000, 'live again');
    f.trade(sym, [{ ts: Date.now(), price: 100, qty: 1, side: 'buy' }]);
    await until(() => sink.live().length === 1, 5_000, 'trade after reconnect');
    expect(statuses()).toEqual(['live', 'reconnecting', 'live']);
    expect(feed.counters()).toMatchObject({ connects: 2, disconnects: 1 });
  });

  it('GIVEN a connection that stays open but goes silent THEN the watchdog marks the stream stale and reconnects', async () => {
    const { f, feed, sym, statuses } = await setup('kraken', { silenceMs: 250, pingIntervalMs: 60_000 }, { heartbeatMs: 50 });
    f.silent = true;
    await until(() => feed.counters().stalls === 1, 5_000, 'watchdog');
    f.silent = false;
    await until(() => feed.status('kraken', sym) === 'live' && feed.counters().connects === 2, 5_000, 'live again');
    expect(statuses().slice(0, 3)).toEqual(['live', 'stale', 'reconnecting']);
    expect(statuses().at(-1)).toBe('live');
  });

  it('GIVEN the venue refuses connections for a while THEN retries back off and the feed recovers when it is back', async () => {
    const { f, feed, sym } = await setup('bybit');
    f.down = true;
    f.drop();
    await until(() => f.counters.refused >= 3, 10_000, 'three refused attempts');
    expect(feed.status('bybit', sym)).toBe('reconnecting');
    f.down = false;
    await until(() => feed.status('bybit', sym) === 'live', 10_000, 'live again');
    expect(feed.counters().connects).toBe(2);
  });

  it('GIVEN the venue refuses every attempt THEN one warning names the cause and the rest are debug lines, and a later loss warns afresh', async () => {
    const f = await startFakeExchange('bybit');
    const sym = SYMBOL.bybit;
    const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
    const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
    const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const feed = new WsFeed({ protocol: PROTOCOLS.bybit, symbols: [sym], sink: new RecordingSink(), clock, wsUrl: f.wsUrl, tuning: FAST, log });
    cleanup.push(() => f.close(), () => feed.stop());
    await feed.start();
    await until(() => feed.status('bybit', sym) === 'live', 10_000, 'live');
    const lost = () => lines.filter((l) => /connection lost|still reconnecting|reconnect failed/.test(l.msg));

    f.down = true;
    f.drop();
    await until(() => f.counters.refused >= 4, 10_000, 'four refused attempts');
    const streak = lost();
    expect(streak.length).toBeGreaterThanOrEqual(4);
    expect(streak.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['feed bybit: connection lost, reconnecting']);
    expect(streak.slice(1).every((l) => l.level === 'debug' && l.msg === 'feed bybit: reconnect failed, trying again')).toBe(true);
    // A refused attempt says why, not only the close code.
    expect(String(streak.at(-1)?.obj['reason'])).toMatch(/^closed 1006 \(.+\)$/);
    expect(streak.at(-1)?.obj['attempts']).toBe(streak.length);

    f.down = false;
    await until(() => feed.status('bybit', sym) === 'live', 10_000, 'live again');
    const before = lost().length;
    f.drop();
    await until(() => lost().length > before, 5_000, 'the next loss');
    expect(lost()[before]).toMatchObject({ level: 'warn', msg: 'feed bybit: connection lost, reconnecting', obj: { attempts: 1 } });
  });

  it('GIVEN no trades for longer than the stale limit THEN the stream is stale, and the next trade makes it live', async () => {
    const { f, feed, sym, statuses } = await setup('coinbase', { staleAfterMs: 150 }, { heartbeatMs: 30 });
    await until(() => feed.status('coinbase', sym) === 'stale', 5_000, 'stale');
    // The connection itself is healthy (heartbeats): no reconnect.
    expect(feed.counters().connects).toBe(1);
    f.trade(sym, [{ ts: Date.now(), price: 100, qty: 1, side: 'buy' }]);
    await until(() => feed.status('coinbase', sym) === 'live', 5_000, 'live');
    expect(statuses()).toEqual(['live', 'stale', 'live']);
    expect(feed.statuses()[0]).toMatchObject({ venue: 'coinbase', symbol: sym, status: 'live', reason: 'trading', lastTradeTs: expect.any(Number) as unknown });
  });

  it('rotates a connection before the venue\'s lifetime limit, opening the new one first: no trade is lost', async () => {
    const { f, sink, feed, sym, statuses } = await setup('binance', { rotateAfterMs: 200 });
    const t0 = Date.now();
    let sent = 0;
    for (let i = 0; i < 40; i++) {
      f.trade(sym, [{ ts: t0 + i, price: 100 + i, qty: 1, side: 'buy' }]);
      sent++;
      await new Promise((r) => setTimeout(r, 15));
    }
    await until(() => new Set(sink.live().map((t) => t.id)).size === sent, 5_000, 'every trade');
    expect(feed.counters().rotations).toBeGreaterThanOrEqual(1);
    // A rotation is invisible to the status: the stream never stopped.
    expect(statuses()).toEqual(['live']);
  });

  it('stop() closes every connection and no reconnect follows', async () => {
    const { f, feed, sym } = await setup('okx');
    await feed.stop();
    await until(() => f.subscribers(sym) === 0, 5_000, 'closed');
    await new Promise((r) => setTimeout(r, 200));
    expect(f.counters.connections).toBe(1);
  });

  it('a listener that throws does not stop the others or the feed', async () => {
    const f = await startFakeExchange('okx');
    const sink = new RecordingSink();
    const feed = new WsFeed({ protocol: PROTOCOLS.okx, symbols: ['BTC/USDT'], sink, clock, wsUrl: f.wsUrl, tuning: FAST });
    cleanup.push(() => f.close(), () => feed.stop());
    const seen: StreamStatus[] = [];
    feed.onStatus(() => {
      throw new Error('listener bug');
    });
    feed.onStatus((c) => seen.push(c.status));
    await feed.start();
    await until(() => seen.includes('live'), 5_000, 'live');
  });
});
