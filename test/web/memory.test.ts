import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '../../src/engine/index.js';
import { ChartRenderer } from '../../src/render/index.js';
import { sampleAlertRequest } from '../../src/render/samples.js';
import { listen, type RunningServer } from '../../src/web/server.js';
import { collectProblems, launchChromium } from './browser.js';
import { fixture, marketTicks, MARKET, spike, type Fixture } from './fixture.js';

/**
 * "A browser tab left open for a day does not grow in memory", measured: hours of a market are
 * replayed fast through the real engine and dashboard to open pages in headless Chromium, every
 * bar of every stream sent to the browser, and each page's JavaScript heap (after a forced garbage
 * collection) and DOM are compared between early in the run and its end.
 */

const HOUR = 3_600_000;
/**
 * Market time replayed, and the part of it played before the pages open (the engine's warm-up).
 * TICKWATCH_SOAK_HOURS replays longer for a soak run apart from `npm test` (e.g. 24: a day).
 */
const REPLAY_HOURS = Number(process.env['TICKWATCH_SOAK_HOURS'] ?? 6);
const WARM_MS = 30 * 60_000;
/** Market time per step of the replay; each step leaves as one live batch. */
const STEP_MS = 20_000;
/** The pages' clocks are set to the market's time this often (market time): their windows move with the replay. */
const PAGE_CLOCK_EVERY_MS = 5 * 60_000;
/** A spike every this often, alternating up and down and rotating over the streams: alerts keep coming. */
const SPIKE_EVERY_MS = 20 * 60_000;
/** The first measure is taken this far into the replay (pages settled, sparklines and lists full). */
const FIRST_MEASURE_MS = 2 * HOUR;
/**
 * What the heap may grow between the two measures. A page that kept what it was sent would grow by
 * megabytes over the tens of thousands of updates; a bounded one moves by what V8 happens to keep
 * (compiled code, inline caches): tens of kilobytes.
 */
const HEAP_SLACK_BYTES = 512 * 1024;
const HEAP_SLACK_RATIO = 0.1;
/** DOM nodes a page may add: none that stay (the lists are full at the first measure), but a row being replaced mid-measure. */
const DOM_SLACK_NODES = 40;

const PAGES = ['/', '/alerts', '/pair?symbol=BTC-USDT&range=15m'] as const;

interface Sample {
  heap: number;
  nodes: number;
  listeners: number;
}

let f: Fixture;
let server: RunningServer;
let browser: Browser;
let ticks: Tick[];
const pages = new Map<string, { page: Page; cdp: CDPSession; problems: string[] }>();
let streamUpdates = 0;

async function sample(path: string): Promise<Sample> {
  const { cdp } = pages.get(path)!;
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  return { heap: usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners };
}

let played = 0;
let flooded = 0;
let charted = 0;
/** Every alert's chart (a real one, drawn once): the alert cards load an image each, as in production. */
let chartPng: Uint8Array;
let pageClockAt = -Infinity;

/** Each page's Date.now() is the market's time (timers run as usual): a pair page's window, the overview's last hour, follow the replay. */
async function syncPageClocks(): Promise<void> {
  pageClockAt = f.clock.t;
  for (const { page } of pages.values()) await page.clock.setFixedTime(f.clock.t);
}

/**
 * Replays the market up to `until` in steps, giving the dashboard and the pages time between
 * steps. Besides the spikes' own alerts, each step publishes a copy of the latest one (new id,
 * the step's time), so that the alert lists fill to their limits and keep turning over.
 */
async function replayTo(until: number): Promise<void> {
  while (played < ticks.length && ticks[played]!.ts < until) {
    const end = ticks[played]!.ts + STEP_MS;
    let j = played;
    while (j < ticks.length && ticks[j]!.ts < end) j++;
    f.play(ticks.slice(played, j));
    f.engine.advance(f.clock.t);
    played = j;
    // The spikes' own alerts get the chart too (delivery would have stored theirs).
    for (; charted < f.alerts.length; charted++) await f.store.putChart(f.alerts[charted]!.id, chartPng, HOUR * REPLAY_HOURS);
    const real = f.alerts.find((a) => !a.id.includes('-copy-'));
    if (real) {
      const id = `${real.id}-copy-${flooded++}`;
      await f.store.putChart(id, chartPng, HOUR * REPLAY_HOURS);
      f.engine.publish({ ...real, id, ts: f.clock.t, barTs: f.clock.t - 1_000 });
      charted++;
    }
    if (f.clock.t - pageClockAt >= PAGE_CLOCK_EVERY_MS) await syncPageClocks();
    await new Promise((r) => setTimeout(r, 4));
  }
  // Let the last batch reach the pages.
  await new Promise((r) => setTimeout(r, 500));
}

beforeAll(async () => {
  const start = Date.now() - REPLAY_HOURS * HOUR;
  ticks = marketTicks(MARKET, start, (REPLAY_HOURS * HOUR) / 1000, 11);
  const streams = MARKET.map((m) => [m.venue, m.symbol] as const);
  for (let t = start + WARM_MS, i = 0; t < start + REPLAY_HOURS * HOUR - STEP_MS; t += SPIKE_EVERY_MS, i++) {
    const [venue, symbol] = streams[i % streams.length]!;
    ticks = spike(ticks, venue, symbol, t, i % 2 ? -4 : 4, 20_000);
  }
  chartPng = await new ChartRenderer().renderAlert(sampleAlertRequest('spike'));
  f = fixture({ deps: { options: { streamMinIntervalMs: 0, batchDelayMs: 1 } } });
  f.dashboard.hub.onBatch((u) => (streamUpdates += u.streams.length));
  await replayTo(start + WARM_MS);
  pageClockAt = f.clock.t;
  server = await listen(f.app, '127.0.0.1', 0);
  browser = await launchChromium();
  for (const path of PAGES) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.clock.setFixedTime(f.clock.t);
    const problems = collectProblems(page);
    await page.goto(`http://127.0.0.1:${server.port}${path}`);
    await page.waitForSelector('body[data-loaded=true][data-live=live]', { timeout: 15_000 });
    pages.set(path, { page, cdp: await page.context().newCDPSession(page), problems });
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  f?.close();
  await server?.close();
});

describe('GIVEN the overview, the alert feed and a pair page left open while hours of a market stream in', () => {
  it('THEN no page\'s JavaScript heap or DOM grows with the updates it has been sent', async () => {
    const start = ticks[0]!.ts;
    await replayTo(start + FIRST_MEASURE_MS);
    await syncPageClocks();
    const first = new Map<string, Sample>();
    for (const path of PAGES) first.set(path, await sample(path));
    const updatesBefore = streamUpdates;
    const alertsBefore = f.alerts.length;
    const spikesBefore = f.alerts.filter((a) => !a.id.includes('-copy-')).length;
    await replayTo(Infinity);
    await syncPageClocks();
    const sent = streamUpdates - updatesBefore;
    // The second half of the run pushed a great many updates and alerts through the pages.
    expect(sent).toBeGreaterThan(2_500);
    expect(f.alerts.length - alertsBefore).toBeGreaterThan(500);
    expect(f.alerts.filter((a) => !a.id.includes('-copy-')).length - spikesBefore).toBeGreaterThanOrEqual(6);
    expect(f.dashboard.hub.stats().dropped).toBe(0);
    const report: string[] = [];
    const second = new Map<string, Sample>();
    for (const path of PAGES) second.set(path, await sample(path));
    console.log(`${sent} stream updates and ${f.alerts.length - alertsBefore} alerts between the measures`);
    for (const path of PAGES) {
      const a = first.get(path)!;
      const b = second.get(path)!;
      report.push(`${path}: heap ${(a.heap / 1024).toFixed(0)} -> ${(b.heap / 1024).toFixed(0)} KiB, DOM nodes ${a.nodes} -> ${b.nodes}, listeners ${a.listeners} -> ${b.listeners}`);
      console.log(report.at(-1));
      expect(b.heap - a.heap, report.at(-1)).toBeLessThan(Math.max(HEAP_SLACK_BYTES, a.heap * HEAP_SLACK_RATIO));
      expect(b.nodes - a.nodes, report.at(-1)).toBeLessThan(DOM_SLACK_NODES);
      expect(b.listeners - a.listeners, report.at(-1)).toBeLessThanOrEqual(0);
    }
    // The pages were live all along: the overview shows the last replayed bar's price.
    const { page } = pages.get('/')!;
    const last = f.engine.find('binance', 'ETH/USDT')!.evaluation.price;
    await page.waitForFunction((p) => document.querySelector('tr[data-stream="binance:ETH/USDT"] td.price')?.textContent === p, last.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), { timeout: 10_000 });
    for (const { problems } of pages.values()) expect(problems).toEqual([]);
  }, 300_000 * Math.max(1, REPLAY_HOURS / 6));
});

declare const document: { querySelector(s: string): { textContent: string | null } | null };
