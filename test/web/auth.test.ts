import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/engine/index.js';
import type { Subscription } from '../../src/engine/ports/store.js';
import { DashboardConfigError, SESSION_COOKIE, mountDashboard } from '../../src/web/index.js';
import { PAGES } from '../../src/web/dashboard.js';
import type { LiveUpdate } from '../../src/web/live.js';
import { fixture, marketTicks, MARKET, readUpdates, type Fixture } from './fixture.js';

const START = Date.UTC(2025, 7, 11, 12);
const TOKEN = 'dashboard-token-0123456789abcdef';
const DISCORD = 'MTA5ODc2NTQzMjEwOTg3NjU0.discord.secret-part';
const TELEGRAM = '123456789:AAHtelegram-secret-token-value';

/** Requests from one client address (the limiter counts per peer address). */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

function minimalDeps(f: Fixture) {
  return { engine: f.engine, feeds: [], alerts: f.store, clock: f.clock, secrets: [] };
}

describe('where the dashboard may listen', () => {
  let f: Fixture;
  beforeAll(() => (f = fixture()));
  afterAll(() => f.close());

  it('GIVEN any address but loopback and no token THEN it refuses to start, saying what to set', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'dashboard.example.com']) {
      expect(() => mountDashboard(new OpenAPIHono(), { ...minimalDeps(f), auth: { host } }), host).toThrow(DashboardConfigError);
    }
    expect(() => mountDashboard(new OpenAPIHono(), { ...minimalDeps(f), auth: { host: '0.0.0.0' } })).toThrow(/TICKWATCH_DASHBOARD_TOKEN/);
  });

  it('GIVEN a token shorter than 16 characters THEN it refuses to start', () => {
    expect(() => mountDashboard(new OpenAPIHono(), { ...minimalDeps(f), auth: { host: '0.0.0.0', token: 'short' } })).toThrow(/too short/);
  });

  it('GIVEN loopback (any form) and no token THEN it starts and needs no login', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2']) {
      const app = new OpenAPIHono();
      const d = mountDashboard(app, { ...minimalDeps(f), auth: { host } });
      expect((await app.request('/api/streams')).status, host).toBe(200);
      expect((await app.request('/login')).headers.get('location')).toBe('/');
      d.close();
    }
  });

  it('GIVEN a token THEN it starts on any address', () => {
    const d = mountDashboard(new OpenAPIHono(), { ...minimalDeps(f), auth: { host: '0.0.0.0', token: TOKEN } });
    d.close();
  });
});

describe('GIVEN a dashboard token', () => {
  let f: Fixture;
  beforeAll(() => {
    f = fixture({ deps: { auth: { host: '0.0.0.0', token: TOKEN } } });
    f.play(marketTicks(MARKET, START, 3 * 60));
  });
  afterAll(() => f.close());
  const bearer = (token = TOKEN) => ({ headers: { authorization: `Bearer ${token}` } });

  it('every API route needs it: 401 JSON with a WWW-Authenticate challenge', async () => {
    for (const path of ['/api/streams', '/api/streams/binance/BTC-USDT/bars', '/api/alerts', '/api/alerts/x', '/api/alerts/x/chart.png', '/api/events', '/api/status', '/api/openapi.json']) {
      const r = await f.app.request(path, {}, from('10.1.0.1'));
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="tickwatch"');
      expect(await r.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('every page needs it: a redirect to the login form that comes back to the page', async () => {
    for (const path of Object.keys(PAGES)) {
      const r = await f.app.request(path, {}, from('10.1.0.1'));
      expect(r.status, path).toBe(303);
      expect(r.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const r = await f.app.request('/pair?symbol=BTC-USDT', {}, from('10.1.0.1'));
    expect(r.headers.get('location')).toBe('/login?next=%2Fpair%3Fsymbol%3DBTC-USDT');
    const login = await f.app.request('/login', {}, from('10.1.0.1'));
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<form');
    expect((await f.app.request('/assets/app.css', {}, from('10.1.0.1'))).status).toBe(200);
  });

  it('a bearer header opens the API and the pages; a wrong one does not', async () => {
    expect((await f.app.request('/api/streams', bearer(), from('10.1.0.2'))).status).toBe(200);
    expect((await f.app.request('/', bearer(), from('10.1.0.2'))).status).toBe(200);
    expect((await f.app.request('/api/streams', bearer(`${TOKEN}x`), from('10.1.0.2'))).status).toBe(401);
    expect((await f.app.request('/api/streams', bearer(TOKEN.slice(0, -1)), from('10.1.0.2'))).status).toBe(401);
    expect((await f.app.request('/api/streams', { headers: { authorization: `Basic ${TOKEN}` } }, from('10.1.0.2'))).status).toBe(401);
  });

  it('the login form sets an HttpOnly, SameSite=Strict cookie (not the token) that opens pages, the API and the event stream', async () => {
    const body = new URLSearchParams({ token: TOKEN, next: '/alerts' });
    const r = await f.app.request('/login', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } }, from('10.1.0.3'));
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/alerts');
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain(TOKEN);
    const cookie = { headers: { cookie: setCookie.split(';')[0]! } };
    expect((await f.app.request('/alerts', cookie, from('10.1.0.3'))).status).toBe(200);
    expect((await f.app.request('/api/alerts', cookie, from('10.1.0.3'))).status).toBe(200);
    const ev = await f.app.request('/api/events', cookie, from('10.1.0.3'));
    expect(ev.status).toBe(200);
    await ev.body!.cancel();
    const out = await f.app.request('/logout', { method: 'POST', headers: { ...cookie.headers, 'sec-fetch-site': 'same-origin' } }, from('10.1.0.3'));
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
  });

  it('a wrong token at the login form goes back to it with the reason; a forged cookie is refused and cleared', async () => {
    const body = new URLSearchParams({ token: 'guess-guess-guess-guess', next: '/status' });
    const r = await f.app.request('/login', { method: 'POST', body, headers: { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' } }, from('10.1.0.4'));
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?error=wrong&next=%2Fstatus');
    expect(r.headers.get('set-cookie')).toBeNull();
    const forged = await f.app.request('/', { headers: { cookie: `${SESSION_COOKIE}=${TOKEN}` } }, from('10.1.0.4'));
    expect(forged.status).toBe(303);
    expect(forged.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
  });

  it('GIVEN a login form posted from another site THEN 403', async () => {
    const body = new URLSearchParams({ token: TOKEN });
    const r = await f.app.request('/login', { method: 'POST', body, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' } }, from('10.1.0.5'));
    expect(r.status).toBe(403);
  });

  it('never redirects away from the dashboard after login', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const body = new URLSearchParams({ token: TOKEN, next });
      const r = await f.app.request('/login', { method: 'POST', body, headers: { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' } }, from('10.1.0.6'));
      expect(r.headers.get('location'), next).toBe('/');
    }
  });

  it('GIVEN 10 wrong tokens from one address THEN it is locked out (even with the right token) while another address is not', async () => {
    const attacker = from('10.9.9.9');
    for (let i = 0; i < 10; i++) expect((await f.app.request('/api/streams', bearer(`wrong-token-number-${i}`), attacker)).status).toBe(401);
    const locked = await f.app.request('/api/streams', bearer(), attacker);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await locked.json()) as { message: string }).message).toMatch(/too many wrong tokens/);
    const body = new URLSearchParams({ token: TOKEN });
    const form = await f.app.request('/login', { method: 'POST', body, headers: { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' } }, attacker);
    expect(form.headers.get('location')).toBe('/login?error=locked');
    expect((await f.app.request('/api/streams', bearer(), from('10.9.9.10'))).status).toBe(200);
  });
});

describe('no secret and no chat user\'s data reaches a page or the API', () => {
  let f: Fixture;
  const userId = '987654321012345678';
  const chatId = '-1001234567890';
  beforeAll(() => {
    const subs: Subscription[] = [
      {
        id: 'w1',
        kind: 'watch',
        chat: { platform: 'telegram', chatId, chatType: 'group' },
        userId,
        symbol: 'BTC/USDT',
        thresholds: { minScore: 0.95, movePct: 1, moveWindowMs: 60_000, minMoveSigma: 0, direction: 'both', minQuoteVolume: 0, cooldownMs: 60_000 },
        createdAt: 0,
        updatedAt: 0,
      },
    ];
    f = fixture({
      deps: {
        auth: { host: '0.0.0.0', token: TOKEN },
        secrets: [DISCORD, TELEGRAM],
        ops: {
          queues: async () => [
            {
              name: 'deliver-telegram',
              counts: { waiting: 1, active: 0, delayed: 2, completed: 5, failed: 1 },
              deadLetters: [{ queue: 'deliver-telegram', id: `a.${chatId}`, data: { to: { chatId }, userId }, error: `POST https://api.telegram.org/bot${TELEGRAM}/sendPhoto failed: 403 Forbidden: bot was blocked by the user`, attempts: 8, failedAt: START }],
            },
          ],
          deliveryFailures: async () => [{ platform: 'discord', reason: `401 Unauthorized (token ${DISCORD})`, count: 2 }],
          subscriptions: async () => subs,
        },
      },
    });
    f.play(marketTicks(MARKET, START, 3 * 60));
    // A component that leaks: an alert whose text carries a token.
    const leaky: AlertEvent = {
      id: 'binance-BTCUSDT-1-up-0badc0de',
      venue: 'binance',
      symbol: 'BTC/USDT',
      ts: START + 60_000,
      barTs: START + 59_000,
      price: 60_000,
      direction: 'up',
      change: { pct: 3, windowMs: 60_000, fromPrice: 58_000, fromTs: START },
      score: 0.99,
      detectors: [{ name: 'zscore', score: 0.99, explanation: `see https://api.telegram.org/bot${TELEGRAM}/getMe` }],
      explanation: `moved; discord said ${DISCORD}`,
      rules: [],
      quoteVolume: 1,
      late: false,
    };
    void f.store.recordAlert(leaky, { historyPerStream: 10, ttlMs: 3_600_000 });
  });
  afterAll(() => f.close());

  it('GIVEN every page, file and API route (the event stream included) THEN none carries a configured token or a chat user\'s id', async () => {
    const auth = { headers: { authorization: `Bearer ${TOKEN}`, 'accept-encoding': 'identity' } };
    const paths = [
      ...Object.keys(PAGES),
      '/login',
      '/api/streams',
      '/api/streams/binance/BTC-USDT/bars?res=1s',
      '/api/alerts',
      '/api/alerts/binance-BTCUSDT-1-up-0badc0de',
      '/api/status',
      '/api/openapi.json',
      '/api/alerts/nope',
      '/api/alerts?limit=0',
    ];
    const files = await f.app.request('/assets/js/common.js', auth);
    expect(files.status).toBe(200);
    const texts: [string, string][] = [];
    for (const p of paths) {
      const r = await f.app.request(p, auth);
      expect(r.status, p).toBeLessThan(500);
      texts.push([p, `${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await r.text()}`]);
    }
    const ev = await f.app.request('/api/events', auth);
    const leak = (await f.store.getAlert('binance-BTCUSDT-1-up-0badc0de'))!;
    setTimeout(() => f.engine.publish({ ...leak, id: 'binance-BTCUSDT-2-up-0badc0de' }), 20);
    const { raw } = await readUpdates<LiveUpdate>(ev.body!, (u) => u.alerts.length > 0);
    texts.push(['/api/events', raw]);
    for (const [p, text] of texts) {
      for (const secret of [TOKEN, DISCORD, TELEGRAM, userId, chatId]) expect(text.includes(secret), `${p} carries ${secret}`).toBe(false);
    }
    // What was scrubbed is still there, minus the secret.
    const status = JSON.parse(texts.find(([p]) => p === '/api/status')![1].split('\n').at(-1)!);
    expect(status.queues[0].recentDeadLetters[0].reason).toMatch(/bot\[redacted\]\/sendPhoto failed: 403 Forbidden: bot was blocked/);
    expect(status.deliveryFailures[0].reason).toBe('401 Unauthorized (token [redacted])');
    expect(status.subscriptions).toMatchObject({ total: 1, watches: 1, chats: 1, pairs: 1, byPlatform: { telegram: 1 } });
  });
});
