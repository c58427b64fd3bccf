import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { Engine, InlineTrainer, STATISTICAL_DETECTORS, StaticRuleSource, presetRule, systemClock } from '../src/engine/index.js';
import { binanceProtocol } from '../src/engine/feeds/binance.js';
import { createCcxtExchange } from '../src/engine/feeds/ccxt-exchange.js';
import { WsFeed } from '../src/engine/feeds/ws-feed.js';
import type { BenchRunner, Measure } from './types.js';

/**
 * Ingestion throughput: a local fake Binance floods real-format aggTrade frames (the recorded
 * frame's exact layout, values varied) from its own process, so that the client under test has a
 * core to itself. Three clients, one after the other against the same flood:
 * - bare: `ws` + JSON.parse, nothing else (the ceiling);
 * - native: the Binance adapter with normalisation, the engine's windows and the statistical
 *   detectors behind it (what live mode runs);
 * - ccxt pro: ccxt's own watchTrades loop.
 */

const FLOOD_FLAG = '--tickwatch-ingest-flood';
const SYMBOL = 'BTCUSDT';
/** Frames sent per turn of the flood loop. */
const BATCH = 256;
/** The first part of a run is warm-up (JIT, connection, subscription) and is not measured. */
const WARMUP_MS = 500;

/** A frame from Binance's recorded traffic when present; the same layout written here otherwise. */
const AGG_TRADE_FIXTURE =
  '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1700000000005,"s":"BTCUSDT","a":100,"p":"37000.00000000","q":"0.01000000","f":200,"l":200,"T":1700000000004,"m":false,"M":true}}';

function recordedTemplate(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // ../shared/data next to the project: from bench/ (tsx) or dist/bench/ (compiled).
  const candidates = [resolve(here, '../../shared/data'), resolve(here, '../../../shared/data')].map((d) => resolve(d, 'wire/binance/ws_aggTrade.jsonl'));
  for (const f of candidates) {
    if (!existsSync(f)) continue;
    const line = readFileSync(f, 'utf8').split('\n').find((l) => l.trim());
    if (line) return (JSON.parse(line) as { raw: string }).raw;
  }
  return AGG_TRADE_FIXTURE;
}

/**
 * The template split around the varying values, so that a frame is a few string joins: the layout
 * stays the recorded one, only times, ids, prices, sizes and sides change.
 */
function frameMaker(): { combined: (i: number) => string; raw: (i: number) => string } {
  const t = JSON.parse(recordedTemplate()) as { stream: string; data: Record<string, unknown> };
  const marks = { E: '@@E@@', s: '@@s@@', a: '@@a@@', p: '@@p@@', q: '@@q@@', f: '@@f@@', l: '@@l@@', T: '@@T@@', m: '@@m@@' };
  const data = { ...t.data, ...marks };
  const split = (s: string) => s.split(/"@@[A-Za-z]@@"/);
  const c = split(JSON.stringify({ stream: `${SYMBOL.toLowerCase()}@aggTrade`, data }));
  const r = split(JSON.stringify(data));
  const t0 = Date.now() - 3_600_000;
  const join = (p: string[], i: number) => {
    // One trade per millisecond of market time: 1,000 trades in every one-second bar.
    const ts = t0 + i;
    const price = (60_000 + 50 * Math.sin(i / 5_000) + (i % 7) * 0.01).toFixed(8);
    const qty = (0.001 + (i % 13) * 0.0007).toFixed(8);
    return `${p[0]}${ts + 1}${p[1]}"${SYMBOL}"${p[2]}${i}${p[3]}"${price}"${p[4]}"${qty}"${p[5]}${i}${p[6]}${i}${p[7]}${ts}${p[8]}${i % 3 === 0}${p[9]}`;
  };
  return { combined: (i) => join(c, i), raw: (i) => join(r, i) };
}

/** The smallest exchangeInfo ccxt accepts for one market. */
const EXCHANGE_INFO = JSON.stringify({
  timezone: 'UTC',
  serverTime: 0,
  rateLimits: [],
  exchangeFilters: [],
  symbols: [
    {
      symbol: SYMBOL,
      status: 'TRADING',
      baseAsset: 'BTC',
      baseAssetPrecision: 8,
      quoteAsset: 'USDT',
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'MARKET'],
      icebergAllowed: true,
      ocoAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      ],
      permissions: ['SPOT'],
    },
  ],
});

/**
 * One unmasked server-to-client text frame (RFC 6455 5.2) around an ASCII payload, as a latin1
 * string: a batch of frames becomes one Buffer in one step.
 */
function textFrame(payload: string): string {
  const n = payload.length;
  if (n < 126) return String.fromCharCode(0x81, n) + payload;
  if (n < 65_536) return String.fromCharCode(0x81, 126, n >> 8, n & 0xff) + payload;
  throw new RangeError('frame too large for the flood');
}

/**
 * The flood server (runs in the child process). `ws` does the handshake and reads what clients
 * send; the flood itself is written as ready-made frames straight to the socket in batches,
 * because one ws.send per message would make the server, not the client, the bottleneck.
 */
async function floodServer(): Promise<void> {
  const frames = frameMaker();
  const server = http.createServer((req, res) => {
    const ok = (req.url ?? '').startsWith('/api/v3/exchangeInfo');
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(ok ? EXCHANGE_INFO : '{}');
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket: Socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const make = (req.url ?? '').startsWith('/stream') ? frames.combined : frames.raw;
      let i = 0;
      let flooding = false;
      const pump = () => {
        if (ws.readyState !== WebSocket.OPEN) return;
        let batch = '';
        for (let k = 0; k < BATCH; k++) batch += textFrame(make(i++));
        if (socket.write(Buffer.from(batch, 'latin1'))) setImmediate(pump);
        else socket.once('drain', pump);
      };
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { method?: string; id?: unknown };
        if (m.method !== 'SUBSCRIBE') return;
        ws.send(JSON.stringify({ result: null, id: m.id ?? null }));
        if (!flooding) {
          flooding = true;
          setImmediate(pump);
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.send?.({ port: (server.address() as AddressInfo).port });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes(FLOOD_FLAG)) void floodServer();

async function startFlood(): Promise<{ child: ChildProcess; base: string }> {
  const child = fork(fileURLToPath(import.meta.url), [FLOOD_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((res, rej) => {
    child.once('message', (m) => res((m as { port: number }).port));
    child.once('exit', (code) => rej(new Error(`flood server exited (${code})`)));
  });
  return { child, base: `127.0.0.1:${port}` };
}

interface PathResult {
  perSecond: number;
  /** Client CPU time per message (user + system), microseconds. */
  cpuUs: number;
}

/**
 * Counts messages over a run: `count()` reads the client's running total. Measures between the
 * end of warm-up and the end of the run, wall time and this process's CPU time.
 */
async function measure(seconds: number, count: () => number): Promise<PathResult> {
  const started = Date.now();
  while (count() === 0) {
    if (Date.now() - started > 20_000) throw new Error('no messages within 20 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const n0 = count();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n = count() - n0;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  return { perSecond: n / wall, cpuUs: (cpu.user + cpu.system) / Math.max(1, n) };
}

async function bare(base: string, seconds: number): Promise<PathResult> {
  const ws = new WebSocket(`ws://${base}/stream`, { perMessageDeflate: false });
  let n = 0;
  let sink = 0;
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { data?: { T?: number } };
    sink += m.data?.T ?? 0;
    n++;
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: [`${SYMBOL.toLowerCase()}@aggTrade`], id: 1 }));
  try {
    return await measure(seconds, () => n);
  } finally {
    ws.terminate();
    void sink;
  }
}

async function native(base: string, seconds: number): Promise<PathResult & { bars: number }> {
  const engine = new Engine({
    options: { detectors: STATISTICAL_DETECTORS },
    clock: systemClock,
    rules: new StaticRuleSource([presetRule('normal')]),
    sink: { publish: () => {} },
    trainer: new InlineTrainer(),
  });
  const feed = new WsFeed({ protocol: binanceProtocol, symbols: ['BTC/USDT'], sink: engine, clock: systemClock, wsUrl: `ws://${base}` });
  await feed.start();
  try {
    const r = await measure(seconds, () => engine.stats().ticks);
    return { ...r, bars: engine.stats().bars };
  } finally {
    await feed.stop();
  }
}

async function ccxtPro(base: string, seconds: number): Promise<PathResult> {
  const ex = await createCcxtExchange('binance', true, { restUrl: `http://${base}`, wsUrl: `ws://${base}` });
  let n = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        n += (await ex.watchTrades('BTC/USDT')).length;
      } catch {
        if (!running) break;
      }
    }
  })();
  try {
    return await measure(seconds, () => n);
  } finally {
    running = false;
    await Promise.race([ex.close(), new Promise((r) => setTimeout(r, 2_000))]);
    await Promise.race([loop, new Promise((r) => setTimeout(r, 2_000))]);
  }
}

export const run: BenchRunner = async ({ quick }) => {
  const seconds = quick ? 1.5 : 5;
  const flood = await startFlood();
  try {
    const b = await bare(flood.base, seconds);
    const nat = await native(flood.base, seconds);
    const cc = await ccxtPro(flood.base, seconds);
    // Throughput depends on how fast the flood is served on a shared machine; CPU time per message
    // does not: 1e6 / µs-per-message is what one core would sustain, and the goal is set on it.
    const core = (r: PathResult) => 1e6 / r.cpuUs;
    const measures: Measure[] = [
      { key: 'ingest.bare.msgs_per_s', label: 'bare ws + JSON.parse, measured', value: b.perSecond, unit: 'msg/s', anchor: '320-400k/s measured here (TESTING.md)' },
      { key: 'ingest.native.msgs_per_s', label: 'native adapter + engine (windows, statistical detectors), measured', value: nat.perSecond, unit: 'msg/s' },
      { key: 'ingest.ccxt.msgs_per_s', label: 'ccxt pro watchTrades, measured', value: cc.perSecond, unit: 'msg/s', anchor: '65-74k trades/s measured here (TESTING.md)' },
      { key: 'ingest.bare.cpu_us_per_msg', label: 'bare: client CPU per message', value: b.cpuUs, unit: 'µs', anchor: '~3 µs (issue)' },
      { key: 'ingest.native.cpu_us_per_msg', label: 'native: client CPU per message', value: nat.cpuUs, unit: 'µs' },
      { key: 'ingest.ccxt.cpu_us_per_msg', label: 'ccxt pro: client CPU per message', value: cc.cpuUs, unit: 'µs', anchor: '~14 µs (issue)' },
      { key: 'ingest.bare.one_core_msgs_per_s', label: 'bare: one core sustains', value: core(b), unit: 'msg/s' },
      { key: 'ingest.native.one_core_msgs_per_s', label: 'native: one core sustains', value: core(nat), unit: 'msg/s' },
      { key: 'ingest.ccxt.one_core_msgs_per_s', label: 'ccxt pro: one core sustains', value: core(cc), unit: 'msg/s' },
      { key: 'ingest.native_vs_bare.ratio', label: 'native / bare, one core', value: core(nat) / core(b), unit: 'ratio', goal: '>= 0.5' },
      { key: 'ingest.ccxt_vs_bare.ratio', label: 'ccxt pro / bare, one core', value: core(cc) / core(b), unit: 'ratio' },
      { key: 'ingest.native_vs_bare.measured_ratio', label: 'native / bare, measured rates', value: nat.perSecond / b.perSecond, unit: 'ratio' },
    ];
    return {
      name: 'ingest',
      measures,
      notes: [
        `flood: recorded Binance aggTrade layout from a separate process, 1,000 trades per 1 s bar, ${seconds} s per client after ${WARMUP_MS} ms warm-up; the native run closed ${nat.bars.toLocaleString('en-US')} bars`,
      ],
    };
  } finally {
    flood.child.disconnect();
    flood.child.kill();
  }
};
