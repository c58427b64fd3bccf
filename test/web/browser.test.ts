import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatScore, type AlertEvent } from '../../src/engine/index.js';
import { until } from '../feeds/helpers.js';
import { collectProblems, launchChromium, screenshot } from './browser.js';
import { LiveMarket } from './live-market.js';

// The page functions below run in the browser; the project compiles without the DOM library.
interface Canvas2d {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }>; querySelector(s: string): any; getElementById(s: string): { dataset: Record<string, string | undefined> } | null };
declare const window: { scrollTo(x: number, y: number): void };

/** How long a real browser may take for what a person would wait on (navigation, a reconnect). */
const PAGE_MS = 15_000;
/** The promise: a price on the overview changes within 2 s while trades flow. */
const PRICE_UPDATE_MS = 2_000;
/** The dashboard's staleness bound here: long enough to see a dead venue's streams reconnecting first. */
const SHOWN_STALE_MS = 4_000;

let market: LiveMarket;
let browser: Browser;
const problems: string[] = [];

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const mine = collectProblems(page);
  page.on('close', () => problems.push(...mine));
  await page.goto(market.url + path);
  await page.waitForSelector('body[data-loaded=true][data-live=live]', { timeout: PAGE_MS });
  return page;
}

beforeAll(async () => {
  browser = await launchChromium();
  market = await new LiveMarket({
    venues: ['binance', 'okx', 'bybit'],
    symbols: [
      { symbol: 'BTC/USDT', price: 64_250 },
      { symbol: 'ETH/USDT', price: 3_180 },
      { symbol: 'SOL/USDT', price: 148.2 },
    ],
    warmMinutes: 20,
    staleAfterMs: 1_500,
    shownStaleAfterMs: SHOWN_STALE_MS,
  }).start();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await market?.stop();
});

describe('the dashboard in headless Chromium, over fake exchanges streaming trades through the real feeds and engine', () => {
  let overview: Page;
  let alert: AlertEvent;

  it('GIVEN trades flowing THEN prices on the overview update within 2 s, over the live event stream', async () => {
    overview = await open('/');
    expect(await overview.$$eval('#streams tbody tr', (rows) => rows.length)).toBe(9);
    expect(await overview.getAttribute('#conn', 'class')).toMatch(/live/);
    const before = await overview.$$eval('td.price', (tds) => tds.map((t) => t.textContent));
    await overview.waitForFunction((prev) => Array.from(document.querySelectorAll('td.price')).some((td, i) => td.textContent !== prev[i]), before, { timeout: PRICE_UPDATE_MS });
    expect(await overview.$$eval('.symbol-card', (cards) => cards.map((c) => c.getAttribute('data-symbol')))).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    await screenshot(overview, 'dashboard-overview');
  });

  it('GIVEN a spike on binance THEN the alert appears live in the overview and in the alert feed, linked to the pair at that moment', async () => {
    market.spike('binance', 'BTC/USDT', 10, 10_000);
    await until(() => market.alerts.some((a) => a.venue === 'binance' && a.symbol === 'BTC/USDT' && a.direction === 'up'), 30_000, 'the spike\'s alert');
    alert = market.alerts.find((a) => a.venue === 'binance' && a.symbol === 'BTC/USDT')!;
    await overview.waitForSelector(`#latest [data-alert="${alert.id}"]`, { timeout: PAGE_MS });
    const feed = await open('/alerts');
    const row = await feed.waitForSelector(`tr[data-alert="${alert.id}"]`, { timeout: PAGE_MS });
    expect(await row.$eval('a', (a) => a.getAttribute('href'))).toBe(`/pair?symbol=BTC-USDT&at=${alert.ts}`);
    expect(await row.textContent()).toContain('binance');
    // Scores read as in chat: floored by the same function (0.9999 is never 1.000).
    expect(await row.$eval('.score', (e) => e.textContent)).toBe(formatScore(alert.score));
    await screenshot(feed, 'dashboard-alerts');
    await feed.close();
  });

  it('GIVEN the alert THEN the pair chart marks it, its canvas has drawn the price lines and the marker, and the alert card shows its chart', async () => {
    const pair = await open('/pair?symbol=BTC-USDT&range=15m');
    await pair.waitForFunction((id) => (document.getElementById('chart-box')?.dataset.markerIds ?? '').split(' ').includes(id), alert.id, { timeout: PAGE_MS });
    expect(Number(await pair.getAttribute('#chart-box', 'data-points'))).toBeGreaterThan(300);
    const pixels = await pair.$eval('#price-chart', (c) => {
      const canvas = c as unknown as Canvas2d;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const near = (i: number, rgb: number[]) => Math.abs(d[i]! - rgb[0]!) + Math.abs(d[i + 1]! - rgb[1]!) + Math.abs(d[i + 2]! - rgb[2]!) < 40;
      let drawn = 0;
      let line = 0;
      let up = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3]! === 0) continue;
        drawn++;
        if (near(i, [0x4d, 0xa3, 0xff])) line++;
        if (near(i, [0x22, 0xc5, 0x5e])) up++;
      }
      return { drawn, line, up, total: d.length / 4 };
    });
    expect(pixels.drawn).toBeGreaterThan(pixels.total * 0.02);
    expect(pixels.line).toBeGreaterThan(500);
    expect(pixels.up).toBeGreaterThan(40);
    const img = await pair.waitForSelector(`[data-alert-card="${alert.id}"] img`, { timeout: PAGE_MS });
    await img.scrollIntoViewIfNeeded();
    await pair.waitForFunction((id) => {
      const i = document.querySelector(`[data-alert-card="${id}"] img`) as { complete: boolean; naturalWidth: number } | null;
      return i !== null && i.complete && i.naturalWidth > 0;
    }, alert.id, { timeout: PAGE_MS });
    await pair.evaluate(() => window.scrollTo(0, 0));
    await screenshot(pair, 'dashboard-pair');
    await pair.close();
  });

  it('GIVEN a venue that stops trading a pair THEN its row shows stale; GIVEN the fake venue killed THEN its rows show reconnecting, then stale with the feed\'s state beside it once the data is older than the staleness bound', async () => {
    market.pause('okx', 'ETH/USDT');
    await overview.waitForSelector('tr[data-stream="okx:ETH/USDT"][data-status="stale"]', { timeout: PAGE_MS });
    expect(await overview.$eval('tr[data-stream="okx:ETH/USDT"] .status-cell', (s) => s.textContent)).toBe('stale');
    market.kill('bybit');
    const killedAt = Date.now();
    await overview.waitForSelector('tr[data-stream="bybit:BTC/USDT"][data-status="reconnecting"]', { timeout: PAGE_MS });
    for (const symbol of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) {
      await overview.waitForSelector(`tr[data-stream="bybit:${symbol}"][data-status="stale"]`, { timeout: PAGE_MS });
      expect(await overview.$eval(`tr[data-stream="bybit:${symbol}"] .status-cell`, (s) => s.textContent)).toMatch(/^stale · reconnecting \d+s$/);
    }
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(SHOWN_STALE_MS - 1_000);
    const api = (await (await fetch(`${market.url}/api/streams?venue=bybit`)).json()) as { streams: { status: string; feedStatus: string }[] };
    expect(api.streams.map((s) => `${s.status}/${s.feedStatus}`)).toEqual(['stale/reconnecting', 'stale/reconnecting', 'stale/reconnecting']);
    // The feed's time in its state counts up on the page.
    const before = await overview.$eval('tr[data-stream="bybit:BTC/USDT"] .status-detail', (s) => s.textContent);
    await overview.waitForFunction((b) => document.querySelector('tr[data-stream="bybit:BTC/USDT"] .status-detail')?.textContent !== b, before, { timeout: PAGE_MS });
    await screenshot(overview, 'dashboard-overview-stale');
    const pair = await open('/pair?symbol=SOL-USDT');
    expect(await pair.$eval('[data-venue="bybit"] .stream-status', (s) => s.textContent)).toMatch(/^stale · reconnecting \d+s$/);
    await pair.close();
    const status = await open('/status');
    await status.waitForSelector('#notlive tr[data-stream="okx:ETH/USDT"]', { timeout: PAGE_MS });
    await status.waitForSelector('#notlive tr[data-stream="bybit:SOL/USDT"]', { timeout: PAGE_MS });
    expect(await status.textContent('#notlive tr[data-stream="bybit:SOL/USDT"]')).toMatch(/stale · reconnecting/);
    expect(await status.textContent('#queues')).toContain('deliver-discord');
    await screenshot(status, 'dashboard-status');
    await status.close();
  });

  it('GIVEN another venue\'s alert of the same move THEN the feed shows it dimmed, marked as the same move as the first venue\'s', async () => {
    const feed = await open('/alerts');
    const first = market.alerts.find((a) => a.venue === 'binance' && a.symbol === 'BTC/USDT')!;
    const echo = { ...first, id: `${first.id}-okx-echo`, venue: 'okx', ts: first.ts + 2_000, echo: { of: first.id, venue: 'binance', ts: first.ts, rules: [...first.rules] } };
    market.engine.publish(echo);
    const row = await feed.waitForSelector(`tr[data-alert="${echo.id}"]`, { timeout: PAGE_MS });
    expect(await row.getAttribute('class')).toMatch(/\becho\b/);
    expect(await row.$eval('.echo-chip', (e) => e.textContent)).toBe('same move as binance');
    expect(await feed.$eval(`tr[data-alert="${first.id}"]`, (e) => e.className)).not.toMatch(/\becho\b/);
    await feed.close();
  });

  it('keeps a tab\'s memory bounded: GIVEN more alerts than a page keeps THEN it holds no more than its limit', async () => {
    const feed = await open('/alerts');
    const base = market.alerts.at(-1)!;
    const now = Date.now();
    for (let i = 0; i < 230; i++) market.engine.publish({ ...base, id: `${base.id}-flood-${i}`, ts: now + i });
    await feed.waitForFunction(() => document.querySelector('#feed tbody tr')?.getAttribute('data-alert')?.endsWith('-flood-229'), undefined, { timeout: PAGE_MS }).catch(async (err: Error) => {
      const rows = await feed.$$eval('#feed tbody tr', (r) => r.slice(0, 3).map((x) => x.getAttribute('data-alert') + ' ' + x.getAttribute('data-ts')));
      throw new Error(`${err.message}; rows: ${JSON.stringify(rows)} of ${await feed.$$eval('#feed tbody tr', (r) => r.length)}; problems ${JSON.stringify(problems)}`);
    });
    expect(await feed.$$eval('#feed tbody tr', (r) => r.length)).toBe(200);
    await overview.waitForSelector('#latest [data-alert$="-flood-229"]', { timeout: PAGE_MS });
    expect(await overview.$$eval('#latest li', (r) => r.length)).toBe(8);
    await feed.close();
  });

  it('no page reported a script error or a Content-Security-Policy violation', async () => {
    await overview.close();
    expect(problems).toEqual([]);
  });
});
