import http from 'node:http';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Engine, InlineTrainer, STATISTICAL_DETECTORS, StaticRuleSource, presetRule, type Clock } from '../src/engine/index.js';
import { MemoryStore } from '../src/store/memory.js';
import { mountDashboard } from '../src/web/index.js';
import { listen } from '../src/web/server.js';
import { percentile } from './stats.js';
import type { BenchRunner, Measure } from './types.js';

const VENUES = ['binance', 'okx', 'bybit', 'coinbase', 'kraken'];
const symbols = (n: number) => Array.from({ length: n }, (_, i) => `C${String(i).padStart(2, '0')}/USDT`);
/** The default configuration's size (3 pairs on 5 venues), and a large deployment (20 pairs). */
const DEFAULT_PAIRS = 3;
const LARGE_PAIRS = 20;
const SYMBOLS = symbols(LARGE_PAIRS);
/** Trades per stream per second while the fan-out is measured. */
const TRADES_PER_SECOND = 5;
/** Live mode closes bars on a timer this often. */
const ADVANCE_MS = 50;

/** Epoch ms with sub-millisecond resolution, comparable across threads of one process. */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * The clients: plain HTTP event-stream readers in a thread of their own, so that reading does not
 * queue behind the server. Each notes, per update, the first stream's bar end and when its bytes
 * arrived (an event split across two reads is not sampled).
 */
const CLIENTS_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, clients } = workerData;
const seen = new Map();
const MARK = Buffer.from('"streams":[{');
const TS = Buffer.from('"ts":');
let open = 0;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const reqs = [];
for (let i = 0; i < clients; i++) {
  const req = http.get(url, { agent, headers: { accept: 'text/event-stream' } }, (res) => {
    open++;
    if (open === clients) parentPort.postMessage({ kind: 'open' });
    // Bytes, not text: the first stream's bar end is all a sample needs.
    res.on('data', (chunk) => {
      const at = performance.timeOrigin + performance.now();
      const m = chunk.indexOf(MARK);
      if (m < 0) return;
      const t = chunk.indexOf(TS, m);
      if (t < 0) return;
      let ts = 0;
      for (let k = t + TS.length; k < chunk.length && chunk[k] >= 48 && chunk[k] <= 57; k++) ts = ts * 10 + chunk[k] - 48;
      let l = seen.get(ts);
      if (!l) seen.set(ts, (l = []));
      l.push(at);
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

async function fanOut(clients: number, seconds: number, pairs: readonly string[]): Promise<{ p50: number; p99: number; max: number; samples: number; updateBytes: number; clientsServed: number; serverP99: number }> {
  const clock: Clock = { now: () => Date.now() };
  const engine = new Engine({ options: { detectors: STATISTICAL_DETECTORS }, clock, rules: new StaticRuleSource([presetRule('normal')]), sink: { publish: () => {} }, trainer: new InlineTrainer() });
  const app = new OpenAPIHono();
  const dashboard = mountDashboard(app, { engine, feeds: [], alerts: new MemoryStore(clock), clock, auth: { host: '127.0.0.1' }, secrets: [], options: { maxClients: clients + 10 } });
  let updateBytes = 0;
  const emitted = new Map<number, number>();
  /** Evaluation to the last client's bytes handed to the kernel: what the server adds. */
  const written: number[] = [];
  dashboard.hub.onBatch((u) => {
    updateBytes = Math.max(updateBytes, JSON.stringify(u).length);
    const at = emitted.get(u.streams[0]?.ts ?? NaN);
    if (at !== undefined && dashboard.hub.stats().clients > 0) written.push(preciseNow() - at);
  });
  engine.onEvaluation((ev) => {
    if (!emitted.has(ev.ts)) emitted.set(ev.ts, preciseNow());
  });
  const server = await listen(app, '127.0.0.1', 0);
  const worker = new Worker(CLIENTS_SOURCE, { eval: true, workerData: { url: `http://127.0.0.1:${server.port}/api/events`, clients } });
  const messages: { kind: string; seen?: [number, number[]][] }[] = [];
  const next = (kind: string) =>
    new Promise<{ kind: string; seen?: [number, number[]][] }>((resolve) => {
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
      for (const s of pairs) {
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
    const at = emitted.get(ts);
    if (at !== undefined) for (const t of times) lat.push(t - at);
  }
  lat.sort((a, b) => a - b);
  written.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.at(-1) ?? NaN, samples: lat.length, updateBytes, clientsServed, serverP99: percentile(written, 99) };
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
  const small = await fanOut(clients, seconds, symbols(DEFAULT_PAIRS));
  const f = await fanOut(clients, seconds, SYMBOLS);
  const w = await weights();
  const streams = VENUES.length * SYMBOLS.length;
  const few = VENUES.length * DEFAULT_PAIRS;
  const measures: Measure[] = [
    { key: 'web.fanout.p50_ms', label: `live update to ${clients} event-stream clients, ${few} streams, p50`, value: small.p50, unit: 'ms' },
    { key: 'web.fanout.p99_ms', label: `live update to ${clients} event-stream clients, ${few} streams, p99`, value: small.p99, unit: 'ms', goal: '<= 100', anchor: 'evaluation to client, batch delay included' },
    { key: 'web.fanout.written_p99_ms', label: `live update written to all ${clients} sockets, ${few} streams, p99 (server side)`, value: small.serverP99, unit: 'ms' },
    { key: 'web.fanout_large.p50_ms', label: `live update to ${clients} event-stream clients, ${streams} streams, p50`, value: f.p50, unit: 'ms' },
    { key: 'web.fanout_large.p99_ms', label: `live update to ${clients} event-stream clients, ${streams} streams, p99`, value: f.p99, unit: 'ms' },
    { key: 'web.fanout_large.written_p99_ms', label: `live update written to all ${clients} sockets, ${streams} streams, p99 (server side)`, value: f.serverP99, unit: 'ms' },
    { key: 'web.fanout_large.max_ms', label: `live update, ${streams} streams, worst`, value: f.max, unit: 'ms' },
    { key: 'web.fanout.clients', label: 'event-stream clients connected', value: Math.min(small.clientsServed, f.clientsServed), unit: 'clients' },
    { key: 'web.fanout.update_kb', label: `update event size, ${few} / ${streams} streams`, value: small.updateBytes / 1024, unit: 'KiB', anchor: `${(f.updateBytes / 1024).toFixed(1)} KiB with ${streams} streams` },
    { key: 'web.overview.transfer_kb', label: `overview page transferred, first visit (${streams} streams)`, value: w.overview / 1024, unit: 'KiB', goal: '<= 300' },
    { key: 'web.pair.transfer_kb', label: 'pair page transferred, first visit (Chart.js, 5 venues, 1 h)', value: w.pair / 1024, unit: 'KiB' },
  ];
  return {
    name: 'web',
    measures,
    notes: [
      `fan-out: ${TRADES_PER_SECOND} trades/s per stream, ${small.samples} and ${f.samples} update deliveries measured over ${seconds} s each; clients in another thread of the same process on loopback (they share its cores); load average ${load.toFixed(1)} at the start`,
    ],
  };
};
