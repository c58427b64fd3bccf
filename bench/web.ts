import http from 'node:http';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Engine, InlineTrainer, STATISTICAL_DETECTORS, StaticRuleSource, presetRule, type Clock } from '../src/engine/index.js';
import { MemoryStore } from '../src/store/memory.js';
import { mountDashboard } from '../src/web/index.js';
import { listen } from '../src/web/server.js';
import type { BenchRunner, Measure } from './types.js';

/** A deployment of some size: 20 pairs on 5 venues. */
const VENUES = ['binance', 'okx', 'bybit', 'coinbase', 'kraken'];
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `C${String(i).padStart(2, '0')}/USDT`);
/** Trades per stream per second while the fan-out is measured. */
const TRADES_PER_SECOND = 5;
/** Live mode closes bars on a timer this often. */
const ADVANCE_MS = 50;

/** Epoch ms with sub-millisecond resolution, comparable across threads of one process. */
const preciseNow = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/**
 * The clients: plain HTTP event-stream readers in a thread of their own, so that reading does not
 * queue behind the server. Each notes, per update, the first stream's bar end and when it arrived.
 */
const CLIENTS_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, clients } = workerData;
const seen = new Map();
let open = 0;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const reqs = [];
for (let i = 0; i < clients; i++) {
  const req = http.get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
    open++;
    if (open === clients) parentPort.postMessage({ kind: 'open' });
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk) => {
      const at = performance.timeOrigin + performance.now();
      buf += chunk;
      let k;
      while ((k = buf.indexOf('\\n\\n')) >= 0) {
        const ev = buf.slice(0, k);
        buf = buf.slice(k + 2);
        const m = /"streams":\\[\\{[^}]*?"ts":(\\d+)/.exec(ev);
        if (!m) continue;
        let l = seen.get(m[1]);
        if (!l) seen.set(m[1], (l = []));
        l.push(at);
      }
    });
  });
  req.on('error', () => {});
  reqs.push(req);
}
parentPort.on('message', (m) => {
  if (m === 'stop') {
    for (const r of reqs) r.destroy();
    parentPort.postMessage({ kind: 'done', seen: [...seen.entries()] });
  }
});
`;

async function fanOut(clients: number, seconds: number): Promise<{ p50: number; p99: number; max: number; samples: number; updateBytes: number; clientsServed: number }> {
  const clock: Clock = { now: () => Date.now() };
  const engine = new Engine({ options: { detectors: STATISTICAL_DETECTORS }, clock, rules: new StaticRuleSource([presetRule('normal')]), sink: { publish: () => {} }, trainer: new InlineTrainer() });
  const app = new OpenAPIHono();
  const dashboard = mountDashboard(app, { engine, feeds: [], alerts: new MemoryStore(clock), clock, auth: { host: '127.0.0.1' }, secrets: [], options: { maxClients: clients + 10 } });
  let updateBytes = 0;
  dashboard.hub.onBatch((u) => (updateBytes = Math.max(updateBytes, JSON.stringify(u).length)));
  const emitted = new Map<number, number>();
  engine.onEvaluation((ev) => {
    if (!emitted.has(ev.ts)) emitted.set(ev.ts, preciseNow());
  });
  const server = await listen(app, '127.0.0.1', 0);
  const worker = new Worker(CLIENTS_SOURCE, { eval: true, workerData: { url: `http://127.0.0.1:${server.port}/api/events`, clients } });
  const messages: { kind: string; seen?: [string, number[]][] }[] = [];
  const next = (kind: string) =>
    new Promise<{ kind: string; seen?: [string, number[]][] }>((resolve) => {
      const check = () => {
        const m = messages.find((x) => x.kind === kind);
        if (m) resolve(m);
        else setTimeout(check, 20);
      };
      check();
    });
  worker.on('message', (m: { kind: string }) => messages.push(m));
  await next('open');
  const clientsServed = dashboard.hub.stats().clients;
  let price = 100;
  const tickTimer = setInterval(() => {
    const ts = Date.now();
    for (const v of VENUES) {
      for (const s of SYMBOLS) {
        for (let i = 0; i < TRADES_PER_SECOND / 10; i++) {
          price *= 1 + (Math.random() - 0.5) * 1e-4;
          engine.ingest({ venue: v, symbol: s, ts, price: Math.round(price * 100) / 100, qty: 0.1, side: 'buy' });
        }
      }
    }
  }, 100);
  const advanceTimer = setInterval(() => engine.advance(Date.now()), ADVANCE_MS);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(tickTimer);
  clearInterval(advanceTimer);
  worker.postMessage('stop');
  const done = await next('done');
  await worker.terminate();
  dashboard.close();
  await server.close();
  const lat: number[] = [];
  for (const [ts, times] of done.seen ?? []) {
    const at = emitted.get(Number(ts));
    if (at !== undefined) for (const t of times) lat.push(t - at);
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.at(-1) ?? NaN, samples: lat.length, updateBytes, clientsServed };
}

/** GET over raw HTTP (bytes as sent, compressed when the server compresses): status line, headers and body. */
function wireGet(url: string): Promise<{ bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'gzip, deflate, br', accept: '*/*' } }, (res) => {
        let bytes = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length + res.rawHeaders.reduce((n, h) => n + h.length + 2, 0) + 2;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          chunks.push(c);
        });
        res.on('end', () => resolve({ bytes, body: res.headers['content-encoding'] ? '' : Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

/** Follows what a page loads: its scripts, styles and icon, the modules they import, and the API calls it makes at load. */
async function pageWeight(base: string, page: string, apiCalls: string[]): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const queue = [page];
  while (queue.length) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const r = await wireGet(base + path);
    total += r.bytes;
    // Bodies of compressed answers are not read for links; the uncompressed copy is.
    const text = r.body || (path.endsWith('.js') || path.endsWith('.html') || !path.includes('.') ? await plain(base + path) : '');
    for (const m of text.matchAll(/(?:src|href)="(\/[^"]+)"/g)) queue.push(m[1]!);
    if (path.endsWith('.js')) for (const m of text.matchAll(/from '\.\/([^']+)'/g)) queue.push(new URL(m[1]!, base + path).pathname);
  }
  for (const p of apiCalls) total += (await wireGet(base + p)).bytes;
  return total;
}

async function plain(url: string): Promise<string> {
  return (await fetch(url)).text();
}

async function weights(): Promise<{ overview: number; pair: number }> {
  const clock: Clock = { now: () => Date.now() };
  const engine = new Engine({ options: { detectors: STATISTICAL_DETECTORS }, clock, rules: new StaticRuleSource([]), sink: { publish: () => {} }, trainer: new InlineTrainer() });
  // An hour of 1-second bars on every stream: full sparklines and rings.
  const start = Date.now() - 3_600_000;
  for (const v of VENUES) {
    for (const s of SYMBOLS) {
      let p = 100;
      for (let t = start; t < start + 3_600_000; t += 1000) engine.ingest({ venue: v, symbol: s, ts: t, price: (p *= 1 + (Math.random() - 0.5) * 1e-3), qty: 1, side: 'buy' });
    }
  }
  engine.flush();
  const app = new OpenAPIHono();
  const dashboard = mountDashboard(app, { engine, feeds: [], alerts: new MemoryStore(clock), clock, auth: { host: '127.0.0.1' }, secrets: [] });
  const server = await listen(app, '127.0.0.1', 0);
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const overview = await pageWeight(base, '/', ['/api/streams', `/api/alerts?since=${Date.now() - 3_600_000}&limit=500`]);
    const slug = SYMBOLS[0]!.replace('/', '-');
    const pair = await pageWeight(base, `/pair?symbol=${slug}`, [`/api/streams?symbol=${slug}`, ...VENUES.map((v) => `/api/streams/${v}/${slug}/bars?res=1m&from=${Date.now() - 3_660_000}&to=${Date.now() + 60_000}`), `/api/alerts?symbol=${slug}&limit=50`]);
    return { overview, pair };
  } finally {
    dashboard.close();
    await server.close();
  }
}

export const run: BenchRunner = async ({ quick }) => {
  const clients = quick ? 200 : 1_000;
  const seconds = quick ? 5 : 20;
  const load = loadavg()[0]!;
  const f = await fanOut(clients, seconds);
  const w = await weights();
  const streams = VENUES.length * SYMBOLS.length;
  const measures: Measure[] = [
    { key: 'web.fanout.p50_ms', label: `live update, evaluation to ${clients} event-stream clients, p50`, value: f.p50, unit: 'ms' },
    { key: 'web.fanout.p99_ms', label: `live update, evaluation to ${clients} event-stream clients, p99`, value: f.p99, unit: 'ms', goal: '<= 100', anchor: 'includes the 15 ms batch delay' },
    { key: 'web.fanout.max_ms', label: 'live update, worst', value: f.max, unit: 'ms' },
    { key: 'web.fanout.clients', label: 'event-stream clients connected', value: f.clientsServed, unit: 'clients' },
    { key: 'web.fanout.update_kb', label: `largest update event (${streams} streams)`, value: f.updateBytes / 1024, unit: 'KiB' },
    { key: 'web.overview.transfer_kb', label: `overview page transferred, first visit (${streams} streams)`, value: w.overview / 1024, unit: 'KiB', goal: '<= 300' },
    { key: 'web.pair.transfer_kb', label: 'pair page transferred, first visit (Chart.js, 5 venues, 1 h)', value: w.pair / 1024, unit: 'KiB' },
  ];
  return {
    name: 'web',
    measures,
    notes: [`fan-out: ${streams} streams, ${TRADES_PER_SECOND} trades/s each, ${f.samples} update deliveries measured over ${seconds} s; clients in another thread of the same process on loopback; load average ${load.toFixed(1)} at the start`],
  };
};
