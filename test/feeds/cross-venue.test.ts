import { afterEach, describe, expect, it } from 'vitest';
import { Engine, InlineTrainer, StaticRuleSource, presetRule, type AlertEvent } from '../../src/engine/index.js';
import { venueWalk } from '../../src/engine/testing/synthetic.js';
import { attachCrossVenue } from '../../src/engine/composite/index.js';
import { WsFeed } from '../../src/engine/feeds/ws-feed.js';
import { startFakeExchange, type FakeExchange, type NewTrade } from '../fakes/exchanges/index.js';
import { FAST, PROTOCOLS, until } from './helpers.js';

const SYM = 'BTC/USDT';
const VENUES = ['binance', 'okx', 'bybit'] as const;
type V = (typeof VENUES)[number];
const clock = { now: () => Date.now() };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function market(staleAfterMs = 120_000) {
  const alerts: AlertEvent[] = [];
  const engine = new Engine({ clock, rules: new StaticRuleSource([presetRule('high')]), sink: { publish: (a) => void alerts.push(a) }, trainer: new InlineTrainer() });
  const fakes = {} as Record<V, FakeExchange>;
  const feeds = {} as Record<V, WsFeed>;
  for (const v of VENUES) {
    fakes[v] = await startFakeExchange(v);
    feeds[v] = new WsFeed({ protocol: PROTOCOLS[v], symbols: [SYM], sink: engine, clock, wsUrl: fakes[v].wsUrl, tuning: { ...FAST, staleAfterMs } });
    cleanup.push(() => fakes[v].close(), () => feeds[v].stop());
  }
  const cross = attachCrossVenue(engine, { statuses: { status: (v, s) => feeds[v as V]?.status(v, s) } });
  await Promise.all(VENUES.map((v) => feeds[v].start()));
  await until(() => VENUES.every((v) => fakes[v].subscribers(SYM) === 1 && feeds[v].status(v, SYM) === 'live'), 10_000, 'all live');
  return { engine, alerts, fakes, feeds, cross };
}

/**
 * Sends venueWalk's trades to the fake venues second by second, every venue in turn, so that the
 * venues' bars interleave as they would live. Returns the number of trades sent.
 */
async function trade(fakes: Record<V, FakeExchange>, start: number, seconds: number, venues: readonly V[], bend: (v: V, s: number) => number = () => 1, seed = 1): Promise<number> {
  let n = 0;
  let s = 0;
  for (const second of venueWalk({ venues, symbol: SYM, start, seconds, bend: (v, i) => bend(v as V, i), seed })) {
    for (const { venue, ticks } of second) {
      fakes[venue as V].trade(SYM, ticks.map(({ ts, price, qty, side }): NewTrade => ({ ts, price, qty, side: side ?? 'buy' })));
      n += ticks.length;
    }
    // Let the sockets deliver every few seconds of data: a busy machine otherwise reads one venue's
    // backlog tens of seconds (of venue time) ahead of another's, beyond the composite's freshness.
    if (s++ % 5 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return n;
}

describe('many venues, one truth', () => {
  it('GIVEN two venues that agree and one that breaks away THEN a divergence alert for that venue only', async () => {
    const { engine, alerts, fakes, cross } = await market();
    const start = Date.now() - 10 * 60_000;
    const n = await trade(fakes, start, 300, VENUES, (v, s) => (v === 'okx' && s >= 240 && s < 270 ? 1.03 : 1));
    await until(() => engine.stats().ticks === n, 20_000, 'every trade ingested');
    engine.flush();
    const div = alerts.filter((a) => a.rules.includes('divergence'));
    expect(div.length).toBeGreaterThanOrEqual(1);
    expect(new Set(div.map((a) => a.venue))).toEqual(new Set(['okx']));
    expect(div[0]).toMatchObject({ direction: 'up', consensus: { kind: 'venue-specific', confirming: ['okx'], fresh: ['binance', 'bybit', 'okx'] } });
    expect(div[0].ts).toBeGreaterThanOrEqual(start + 240_000);
    expect(div[0].ts).toBeLessThanOrEqual(start + 250_000);
    // Any other alert the jump raises on okx is labelled as okx's own move.
    for (const a of alerts.filter((x) => !x.rules.includes('divergence'))) {
      expect(a.venue).toBe('okx');
      expect(a.consensus?.kind).toBe('venue-specific');
    }
    expect(cross.composite(SYM)?.venues).toEqual(['binance', 'bybit', 'okx']);
  });

  it('GIVEN a venue that broke away comes back after two minutes THEN its alert on the way back is marked as part of the breakaway', async () => {
    const { engine, alerts, fakes } = await market();
    const start = Date.now() - 15 * 60_000;
    const n = await trade(fakes, start, 480, VENUES, (v, s) => (v === 'okx' && s >= 240 && s < 360 ? 1.03 : 1));
    await until(() => engine.stats().ticks === n, 20_000, 'every trade ingested');
    engine.flush();
    const div = alerts.find((a) => a.rules.includes('divergence'));
    expect(div).toMatchObject({ venue: 'okx', direction: 'up' });
    const back = alerts.filter((a) => !a.rules.includes('divergence') && a.direction === 'down' && a.ts > div!.ts);
    expect(back.length).toBeGreaterThanOrEqual(1);
    for (const a of back) expect(a.echo).toEqual({ of: div!.id, venue: 'okx', ts: div!.ts, rules: a.rules, breakaway: true });
  });

  it('GIVEN one venue goes quiet THEN its feed turns stale and the composite leaves it out', async () => {
    const { engine, fakes, feeds, cross } = await market(400);
    const start = Date.now() - 10 * 60_000;
    const n = await trade(fakes, start, 60, VENUES);
    await until(() => engine.stats().ticks === n, 20_000, 'every trade ingested');
    expect(cross.composite(SYM)?.venues).toEqual(['binance', 'bybit', 'okx']);
    // bybit stops trading; the others go on, live.
    const more = await trade(fakes, start + 60_000, 1, ['binance', 'okx'], undefined, 2);
    await until(() => feeds.bybit.status('bybit', SYM) === 'stale', 10_000, 'bybit stale');
    const keepAlive = setInterval(() => void trade(fakes, Date.now() - 9 * 60_000, 1, ['binance', 'okx'], undefined, 3), 100);
    try {
      await until(() => engine.stats().ticks > n + more, 10_000, 'more trades');
      expect(feeds.binance.status('binance', SYM)).toBe('live');
      expect(cross.composite(SYM)?.venues).toEqual(['binance', 'okx']);
    } finally {
      clearInterval(keepAlive);
    }
  });
});
