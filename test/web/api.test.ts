import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScore } from '../../src/engine/index.js';
import { ChartRenderer } from '../../src/render/index.js';
import type { LiveUpdate } from '../../src/web/live.js';
import { fixture, marketTicks, MARKET, readUpdates, spike, type Fixture } from './fixture.js';

const START = Date.UTC(2025, 7, 11, 12);
const MINUTE = 60_000;
const SPIKE_AT = START + 24 * MINUTE;

let f: Fixture;

beforeAll(() => {
  f = fixture({ charts: new ChartRenderer() });
  f.play(spike(marketTicks(MARKET, START, 25 * 60), 'binance', 'BTC/USDT', SPIKE_AT, 5, 5_000));
  f.engine.advance(f.clock.t + 2_000);
});
afterAll(() => f.close());

const get = (path: string, init?: RequestInit) => f.app.request(path, init);
async function json(path: string): Promise<{ status: number; body: any }> {
  const r = await get(path);
  return { status: r.status, body: await r.json() };
}

/** A 400 names the parameter, where it was and the rule. */
async function expectBad(path: string, parameter: string, where = 'query', message?: RegExp): Promise<void> {
  const { status, body } = await json(path);
  expect(status, path).toBe(400);
  expect(body.error).toBe('bad_request');
  const issue = body.issues.find((i: any) => i.parameter === parameter);
  expect(issue, `${path}: ${JSON.stringify(body)}`).toMatchObject({ in: where, parameter, rule: expect.any(String), message: expect.any(String) });
  if (message) expect(issue.message).toMatch(message);
  expect(body.message).toContain(`"${parameter}"`);
}

describe('GIVEN a market of three venues of BTC/USDT and one of ETH/USDT, and a spike on binance', () => {
  it('the engine found the spike (the scenario the API is read against)', () => {
    expect(f.alerts.length).toBeGreaterThanOrEqual(1);
    expect(f.alerts[0]).toMatchObject({ venue: 'binance', symbol: 'BTC/USDT', direction: 'up' });
  });

  describe('GET /api/streams', () => {
    it('lists every stream with its price, changes, feed status, score, sparkline and score trail', async () => {
      const { status, body } = await json('/api/streams');
      expect(status).toBe(200);
      expect(body.streams.map((s: any) => `${s.venue}:${s.symbol}`)).toEqual(['binance:BTC/USDT', 'bybit:BTC/USDT', 'okx:BTC/USDT', 'binance:ETH/USDT']);
      const b = body.streams[0];
      expect(b).toMatchObject({ slug: 'BTC-USDT', status: 'live', statusReason: 'connected', warmingUp: false });
      expect(b.price).toBeGreaterThan(60_000 * 1.02);
      expect(b.change5m).toBeGreaterThan(2);
      // 25 minutes of history: no price an hour ago.
      expect(b.change1h).toBeNull();
      expect(b.spark.length).toBeGreaterThanOrEqual(20);
      expect(b.spark.length).toBeLessThanOrEqual(body.sparkPoints);
      expect(b.scoreTrail).toHaveLength(body.scoreTrailPoints);
      expect(Math.max(...b.scoreTrail)).toBeGreaterThanOrEqual(0.99);
      expect(body).toMatchObject({ shortBarMs: 1000, longBarMs: 60_000 });
    });

    it('gives each symbol its composite over the live venues, and names the venue that diverges', async () => {
      const { body } = await json('/api/streams');
      const btc = body.symbols.find((s: any) => s.symbol === 'BTC/USDT');
      expect(btc.venues).toEqual(['binance', 'bybit', 'okx']);
      const okx = body.streams.find((s: any) => s.venue === 'okx').price;
      expect(btc.composite).toBeGreaterThan(okx * 0.995);
      expect(btc.composite).toBeLessThan(okx * 1.005);
      expect(btc.diverging).toMatchObject({ venue: 'binance' });
      expect(btc.diverging.pct).toBeGreaterThan(2);
      const eth = body.symbols.find((s: any) => s.symbol === 'ETH/USDT');
      expect(eth).toMatchObject({ venues: ['binance'], diverging: null });
    });

    it('GIVEN a venue that is stale THEN its row says so and the composite leaves it out', async () => {
      const board = f.boards.get('okx')!;
      board.set('BTC/USDT', 'stale', 'no trade for 120 s');
      try {
        const { body } = await json('/api/streams?symbol=BTC-USDT');
        expect(body.streams.find((s: any) => s.venue === 'okx')).toMatchObject({ status: 'stale', statusReason: 'no trade for 120 s' });
        expect(body.symbols).toHaveLength(1);
        expect(body.symbols[0].venues).toEqual(['binance', 'bybit']);
      } finally {
        board.set('BTC/USDT', 'live', 'trading');
      }
    });

    it('GIVEN a venue whose feed is reconnecting THEN it shows reconnecting while its data is fresh, and stale, the feed\'s state beside it, once the data is older than the staleness bound; the live stream says so when the bound passes', async () => {
      const board = f.boards.get('bybit')!;
      const t = f.clock.t;
      const bound = f.dashboard.options.staleAfterMs;
      const events = await get('/api/events?symbol=BTC-USDT');
      board.set('BTC/USDT', 'reconnecting', 'closed 1006');
      try {
        const row = async () => (await json('/api/streams?venue=bybit')).body.streams[0];
        const fresh = await row();
        expect(fresh).toMatchObject({ status: 'reconnecting', feedStatus: 'reconnecting', statusReason: 'closed 1006' });
        expect(fresh.lastDataAt).toBeGreaterThan(t - 1_000);
        expect(fresh.lastDataAt).toBeLessThanOrEqual(t);
        f.clock.t = fresh.lastDataAt + bound;
        expect(await row()).toMatchObject({ status: 'reconnecting', feedStatus: 'reconnecting' });
        f.clock.t = fresh.lastDataAt + bound + 1;
        expect(await row()).toMatchObject({ status: 'stale', feedStatus: 'reconnecting', statusSince: t, statusReason: 'closed 1006' });
        const { body } = await json('/api/streams');
        expect(body.staleAfterMs).toBe(bound);
        // The other streams' data is as old, but their feeds are live: a feed that is up says itself when a stream goes quiet.
        expect(body.streams.filter((s: any) => s.status !== 'live').map((s: any) => s.venue)).toEqual(['bybit']);
        const status = (await json('/api/status')).body;
        expect(status.feeds.notLive).toEqual([{ venue: 'bybit', symbol: 'BTC/USDT', status: 'stale', feedStatus: 'reconnecting', since: t, reason: 'closed 1006' }]);
        // No feed event: the periodic check announces it.
        setTimeout(() => f.dashboard.model.checkStaleness(), 20);
        const { found } = await readUpdates<LiveUpdate>(events.body!, (u) => u.statuses.some((s) => s.venue === 'bybit' && s.status === 'stale'));
        expect(found.statuses.find((s) => s.venue === 'bybit' && s.status === 'stale')).toEqual({ venue: 'bybit', symbol: 'BTC/USDT', status: 'stale', feedStatus: 'reconnecting', since: t, reason: 'closed 1006' });
        // Backfilling after the reconnection, with the data still old: still stale; live again: live.
        board.set('BTC/USDT', 'backfilling', 'gap');
        expect(await row()).toMatchObject({ status: 'stale', feedStatus: 'backfilling' });
      } finally {
        board.set('BTC/USDT', 'live', 'backfill done');
        f.clock.t = t;
      }
      expect((await json('/api/streams?venue=bybit')).body.streams[0]).toMatchObject({ status: 'live', feedStatus: 'live' });
    });

    it('filters by symbol (either URL form) and venue', async () => {
      for (const sym of ['BTC-USDT', 'BTC%2FUSDT', 'btc-usdt']) {
        const { body } = await json(`/api/streams?symbol=${sym}`);
        expect(body.streams.map((s: any) => s.venue), sym).toEqual(['binance', 'bybit', 'okx']);
      }
      const { body } = await json('/api/streams?venue=binance');
      expect(body.streams.map((s: any) => s.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    });

    it('bad parameters are 400s that name them', async () => {
      await expectBad('/api/streams?venue=Bin%20ance', 'venue', 'query', /lower-case exchange id/);
      await expectBad('/api/streams?symbol=BTC%3CUSDT', 'symbol');
    });
  });

  describe('GET /api/streams/:venue/:symbol/bars', () => {
    it('answers the short bars as columns, the slug and the encoded slash naming the same stream', async () => {
      const a = await json('/api/streams/binance/BTC-USDT/bars?res=1s');
      const b = await json('/api/streams/binance/BTC%2FUSDT/bars?res=1s');
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({ venue: 'binance', symbol: 'BTC/USDT', res: '1s', barMs: 1000 });
      expect(b.body.bars).toEqual(a.body.bars);
      const { ts, close, volume, trades } = a.body.bars;
      expect(ts.length).toBeGreaterThan(800);
      expect(ts.length).toBeLessThanOrEqual(900);
      expect(close).toHaveLength(ts.length);
      expect(volume).toHaveLength(ts.length);
      expect(trades.every((n: number) => n > 0)).toBe(true);
      expect([...ts].sort((x, y) => x - y)).toEqual(ts);
    });

    it('answers the long bars, with from and to as epoch ms or ISO-8601', async () => {
      const from = START + 10 * MINUTE;
      const to = START + 20 * MINUTE;
      const a = await json(`/api/streams/okx/BTC-USDT/bars?res=1m&from=${from}&to=${to}`);
      expect(a.status).toBe(200);
      expect(a.body.bars.ts).toEqual(Array.from({ length: 10 }, (_, i) => from + i * MINUTE));
      const iso = await json(`/api/streams/okx/BTC-USDT/bars?res=1m&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
      expect(iso.body.bars).toEqual(a.body.bars);
      const dflt = await json('/api/streams/okx/BTC-USDT/bars');
      expect(dflt.body.res).toBe('1m');
      expect(dflt.body.bars.ts).toEqual(f.engine.find('okx', 'BTC/USDT')!.bars('long').map((b) => b.ts));
    });

    it('GIVEN no such stream THEN 404, and bad parameters are 400s that name them', async () => {
      const nf = await json('/api/streams/kraken/BTC-USDT/bars');
      expect(nf.status).toBe(404);
      expect(nf.body).toMatchObject({ error: 'not_found', message: 'no stream kraken BTC/USDT' });
      await expectBad('/api/streams/binance/BTC-USDT/bars?res=5m', 'res');
      await expectBad('/api/streams/binance/BTC-USDT/bars?from=yesterday', 'from', 'query', /epoch milliseconds or an ISO-8601 time/);
      await expectBad('/api/streams/binance/BTC-USDT/bars?to=2025-13-45T99:00:00Z', 'to');
      await expectBad(`/api/streams/binance/BTC-USDT/bars?from=${START + MINUTE}&to=${START}`, 'from', 'query', /after "to"/);
      await expectBad('/api/streams/BIN_ANCE/BTC-USDT/bars', 'venue', 'path');
      await expectBad('/api/streams/binance/BTC%20USDT/bars', 'symbol', 'path');
    });
  });

  describe('GET /api/alerts and /api/alerts/:id', () => {
    it('lists alerts newest first, with links to the chart and to the pair at that moment', async () => {
      const { status, body } = await json('/api/alerts');
      expect(status).toBe(200);
      expect(body.alerts.length).toBe(f.alerts.length);
      const ts = body.alerts.map((a: any) => a.ts);
      expect([...ts].sort((a, b) => b - a)).toEqual(ts);
      const a = body.alerts.at(-1);
      expect(a).toMatchObject({ id: f.alerts[0]!.id, symbol: 'BTC/USDT', slug: 'BTC-USDT', venue: 'binance', direction: 'up' });
      expect(a.links).toEqual({ chart: `/api/alerts/${encodeURIComponent(a.id)}/chart.png`, pair: `/pair?symbol=BTC-USDT&at=${a.ts}` });
      expect(a.detectors.length).toBeGreaterThan(0);
      expect(a).not.toHaveProperty('rules');
    });

    it('filters by symbol, venue, since, direction and minimum score, and limits', async () => {
      const n = f.alerts.length;
      expect((await json('/api/alerts?symbol=BTC%2FUSDT')).body.alerts).toHaveLength(n);
      expect((await json('/api/alerts?symbol=ETH-USDT')).body.alerts).toHaveLength(0);
      expect((await json('/api/alerts?venue=okx')).body.alerts).toHaveLength(0);
      expect((await json('/api/alerts?direction=down')).body.alerts).toHaveLength(0);
      expect((await json('/api/alerts?minScore=0.5')).body.alerts).toHaveLength(n);
      expect((await json(`/api/alerts?since=${f.clock.t + MINUTE}`)).body.alerts).toHaveLength(0);
      expect((await json(`/api/alerts?since=${new Date(START).toISOString()}`)).body.alerts).toHaveLength(n);
      expect((await json('/api/alerts?limit=1')).body.alerts).toHaveLength(1);
    });

    it('bad parameters are 400s that name them', async () => {
      await expectBad('/api/alerts?limit=0', 'limit', 'query', /from 1 to 500/);
      await expectBad('/api/alerts?limit=501', 'limit');
      await expectBad('/api/alerts?limit=ten', 'limit');
      await expectBad('/api/alerts?minScore=1.5', 'minScore', 'query', /from 0 to 1/);
      await expectBad('/api/alerts?direction=sideways', 'direction');
      await expectBad('/api/alerts?since=soon', 'since');
      const { body } = await json('/api/alerts?limit=0&direction=sideways');
      expect(body.issues.map((i: any) => i.parameter).sort()).toEqual(['direction', 'limit']);
    });

    it('answers one alert by id, and 404 for an unknown id', async () => {
      const id = f.alerts[0]!.id;
      const one = await json(`/api/alerts/${encodeURIComponent(id)}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id, venue: 'binance' });
      const nf = await json('/api/alerts/binance-BTCUSDT-1-up-00000000');
      expect(nf.status).toBe(404);
      expect(nf.body.error).toBe('not_found');
    });
  });

  describe('GET /api/alerts/:id/chart.png', () => {
    it('draws the chart from the live windows when none was stored', async () => {
      const r = await get(`/api/alerts/${encodeURIComponent(f.alerts[0]!.id)}/chart.png`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      const png = new Uint8Array(await r.arrayBuffer());
      expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.length).toBeGreaterThan(10_000);
    });

    it('serves the stored chart (the one chat got) when there is one', async () => {
      const id = f.alerts[0]!.id;
      const stored = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
      await f.store.putChart(id, stored, MINUTE);
      const r = await get(`/api/alerts/${encodeURIComponent(id)}/chart.png`);
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(stored);
    });

    it('GIVEN an unknown alert, or one whose bars are gone and no chart stored, THEN 404', async () => {
      expect((await get('/api/alerts/nope/chart.png')).status).toBe(404);
      const old = { ...f.alerts[0]!, id: 'binance-BTCUSDT-1-up-deadbeef', ts: START - 30 * 24 * 60 * MINUTE, barTs: START - 30 * 24 * 60 * MINUTE - 1000 };
      await f.store.recordAlert(old, { historyPerStream: 200, ttlMs: 60 * MINUTE });
      const r = await get(`/api/alerts/${old.id}/chart.png`);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { message: string }).message).toMatch(/no chart/);
    });
  });

  describe('GET /api/events', () => {
    it('streams batched updates: new bars of every stream, and the alerts as they fire', async () => {
      const r = await get('/api/events');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const t0 = f.clock.t;
      setTimeout(() => {
        f.play([
          { venue: 'okx', symbol: 'BTC/USDT', ts: t0 + 1_500, price: 63_000, qty: 1, side: 'buy' },
          { venue: 'binance', symbol: 'ETH/USDT', ts: t0 + 1_600, price: 3_100, qty: 1, side: 'buy' },
        ]);
        f.engine.advance(t0 + 4_000);
      }, 20);
      const { found, raw } = await readUpdates<LiveUpdate>(r.body!, (u) => u.streams.some((s) => s.venue === 'okx' && s.price === 63_000));
      expect(raw.startsWith('retry: 2000\n')).toBe(true);
      expect(found.streams.find((s) => s.venue === 'okx')).toMatchObject({ symbol: 'BTC/USDT', price: 63_000, warmingUp: false });
      expect(found.symbols.map((s) => s.symbol)).toContain('BTC/USDT');
    });

    it('GIVEN ?symbol= THEN only that symbol\'s changes arrive', async () => {
      const r = await get('/api/events?symbol=ETH-USDT');
      const t0 = f.clock.t;
      setTimeout(() => {
        f.play([
          { venue: 'bybit', symbol: 'BTC/USDT', ts: t0 + 1_500, price: 63_100, qty: 1, side: 'buy' },
          { venue: 'binance', symbol: 'ETH/USDT', ts: t0 + 1_600, price: 3_101, qty: 1, side: 'buy' },
        ]);
        f.engine.advance(t0 + 4_000);
      }, 20);
      const { found } = await readUpdates<LiveUpdate>(r.body!, (u) => u.streams.length > 0);
      expect(found.streams.map((s) => s.symbol)).toEqual(['ETH/USDT']);
      expect(found.symbols.map((s) => s.symbol)).toEqual(['ETH/USDT']);
    });

    it('carries feed status changes', async () => {
      const r = await get('/api/events');
      setTimeout(() => f.boards.get('bybit')!.set('BTC/USDT', 'reconnecting', 'closed 1006'), 20);
      const { found } = await readUpdates<LiveUpdate>(r.body!, (u) => u.statuses.length > 0);
      expect(found.statuses[0]).toMatchObject({ venue: 'bybit', symbol: 'BTC/USDT', status: 'reconnecting', feedStatus: 'reconnecting', reason: 'closed 1006' });
      f.boards.get('bybit')!.set('BTC/USDT', 'live', 'connected');
    });

    it('a bad symbol is a 400', async () => {
      await expectBad('/api/events?symbol=%3Cscript%3E', 'symbol');
    });
  });

  describe('GET /api/status', () => {
    it('counts feeds by status and venue, lists streams not live, and says which parts this process lacks', async () => {
      f.boards.get('okx')!.set('BTC/USDT', 'backfilling', 'reconnected');
      const { status, body } = await json('/api/status');
      f.boards.get('okx')!.set('BTC/USDT', 'live', 'backfill done');
      expect(status).toBe(200);
      expect(body.feeds.streams).toBe(4);
      expect(body.feeds.byStatus).toEqual({ live: 3, backfilling: 1 });
      expect(body.feeds.venues.find((v: any) => v.venue === 'binance')).toEqual({ venue: 'binance', streams: 2, byStatus: { live: 2 } });
      expect(body.feeds.notLive).toEqual([{ venue: 'okx', symbol: 'BTC/USDT', status: 'backfilling', feedStatus: 'backfilling', since: expect.any(Number), reason: 'reconnected' }]);
      expect(body.engine.streams).toBe(4);
      expect(body.engine.ticks).toBeGreaterThan(10_000);
      expect(body).toMatchObject({ queues: null, deliveryFailures: null, subscriptions: null });
    });
  });

  describe('the OpenAPI document', () => {
    it('is generated from the same schemas and lists every route with its parameters', async () => {
      const { status, body } = await json('/api/openapi.json');
      expect(status).toBe(200);
      expect(body.openapi).toBe('3.1.0');
      expect(Object.keys(body.paths).sort()).toEqual([
        '/api/alerts',
        '/api/alerts/{id}',
        '/api/alerts/{id}/chart.png',
        '/api/events',
        '/api/status',
        '/api/streams',
        '/api/streams/{venue}/{symbol}/bars',
      ]);
      const bars = body.paths['/api/streams/{venue}/{symbol}/bars'].get;
      expect(bars.parameters.map((p: any) => `${p.in}:${p.name}`).sort()).toEqual(['path:symbol', 'path:venue', 'query:from', 'query:res', 'query:to']);
      expect(body.paths['/api/alerts'].get.parameters.map((p: any) => p.name).sort()).toEqual(['direction', 'limit', 'minScore', 'since', 'symbol', 'venue']);
      expect(body.components.schemas).toHaveProperty('Alert');
      expect(body.components.schemas).toHaveProperty('Error');
    });
  });

  describe('pages, files and headers', () => {
    it('serves every page, with a CSP that allows no inline script, nosniff and no framing', async () => {
      for (const path of ['/', '/pair?symbol=BTC-USDT', '/alerts', '/status', '/api/streams']) {
        const r = await get(path);
        expect(r.status, path).toBe(200);
        const csp = r.headers.get('content-security-policy') ?? '';
        expect(csp, path).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('unsafe-inline');
        expect(r.headers.get('x-content-type-options')).toBe('nosniff');
        expect(r.headers.get('x-frame-options')).toBe('DENY');
        if (!path.startsWith('/api')) expect(await r.text()).not.toMatch(/<script>|<script[^>]*>[^<]+<\/script>|\son[a-z]+=/);
      }
    });

    it('serves Chart.js from its own package, gzipped, with an ETag that makes a repeat a 304', async () => {
      const r = await get('/assets/vendor/chart.umd.min.js', { headers: { 'accept-encoding': 'gzip' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-encoding')).toBe('gzip');
      expect(r.headers.get('content-type')).toMatch(/javascript/);
      const etag = r.headers.get('etag')!;
      const again = await get('/assets/vendor/chart.umd.min.js', { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect((await get('/assets/js/common.js')).status).toBe(200);
      expect((await get('/assets/nope.js')).status).toBe(404);
      expect((await get('/assets/../package.json')).status).toBe(404);
    });

    it('serves the pages the product\'s own formatScore, so a score reads on a page as in chat (floored: 0.9999 is never 1.000)', async () => {
      const r = await get('/assets/js/shared-format.js');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/javascript/);
      const served = (await import(`data:text/javascript,${encodeURIComponent(await r.text())}`)) as { formatScore: (s: number) => string };
      const scores = [0, 0.004, 0.1, 0.5, 0.949, 0.95, 0.98999, 0.99, 0.9949, 0.9989, 0.999, 0.99949, 0.99996, 0.99999, 1];
      for (let i = 0; i <= 1000; i++) scores.push(i / 1000, 0.99 + i / 100_000);
      for (const s of scores) expect(served.formatScore(s), String(s)).toBe(formatScore(s));
      expect(served.formatScore(0.99996)).toBe('0.9999');
      expect(await (await get('/assets/js/common.js')).text()).toContain("from './shared-format.js'");
    });

    it('API answers are never cached, and unknown API paths are JSON 404s', async () => {
      expect((await get('/api/streams')).headers.get('cache-control')).toBe('no-store');
      const r = await get('/api/nothing');
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: 'not_found' });
      // A long unknown path is quoted back cut short.
      const long = await get(`/api/${'a'.repeat(5_000)}`);
      expect(long.status).toBe(404);
      expect(((await long.json()) as { message: string }).message).toBe(`no API route GET /api/${'a'.repeat(195)}…`);
    });

    it('GIVEN a write to the read-only API THEN 405 with Allow: GET, HEAD, whatever the path', async () => {
      for (const [method, path] of [['POST', '/api/alerts'], ['DELETE', '/api/status'], ['PUT', '/api/nothing']] as const) {
        const r = await get(path, { method, body: method === 'DELETE' ? undefined : '{}' });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.get('allow')).toBe('GET, HEAD');
        expect(await r.json()).toEqual({ error: 'method_not_allowed', message: `the API is read-only: ${method} is not served, only GET and HEAD` });
      }
    });
  });
});
