import { OpenAPIHono } from '@hono/zod-openapi';
import { Engine, InlineTrainer, STATISTICAL_DETECTORS, StaticRuleSource, presetRule, type AlertEvent, type Clock, type Tick } from '../../src/engine/index.js';
import { StatusBoard } from '../../src/engine/feeds/status-board.js';
import { silentLog } from '../../src/engine/ports/feed.js';
import { ALERT_RETENTION_DEFAULTS } from '../../src/engine/services/alerts.js';
import { injectMove } from '../../src/engine/testing/synthetic.js';
import { Sfc32 } from '../../src/engine/testing/synthetic-market.js';
import { EngineBarSource } from '../../src/engine/bar-source.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { DashboardDeps, FeedStatusView } from '../../src/web/deps.js';
import { mountDashboard, type Dashboard } from '../../src/web/dashboard.js';
import type { ChartPort } from '../../src/engine/ports/chart.js';

export interface VenueSpec {
  venue: string;
  symbol: string;
  price: number;
  /** This venue's constant premium over the market, percent. */
  offsetPct?: number;
}

export const MARKET: VenueSpec[] = [
  { venue: 'binance', symbol: 'BTC/USDT', price: 60_000 },
  { venue: 'okx', symbol: 'BTC/USDT', price: 60_000, offsetPct: 0.02 },
  { venue: 'bybit', symbol: 'BTC/USDT', price: 60_000, offsetPct: -0.01 },
  { venue: 'binance', symbol: 'ETH/USDT', price: 3_000 },
];

/** Per-second volatility of log price, and trades per second per venue. */
const VOL = 0.0004;
const RATE = 6;

/**
 * Trades of several venues that follow one market per symbol (a random walk in log price, each
 * venue at its own small premium and trading at its own Poisson moments). Deterministic for a
 * seed; time order.
 */
export function marketTicks(specs: readonly VenueSpec[], start: number, seconds: number, seed = 1): Tick[] {
  const rng = new Sfc32(seed);
  const out: Tick[] = [];
  const symbols = [...new Set(specs.map((s) => s.symbol))];
  for (const symbol of symbols) {
    const venues = specs.filter((s) => s.symbol === symbol);
    const rate = RATE * venues.length;
    const step = VOL / Math.sqrt(rate);
    let logP = Math.log(venues[0]!.price);
    let t = start;
    const end = start + seconds * 1000;
    while (true) {
      t += -Math.log(1 - rng.next()) * (1000 / rate);
      if (t >= end) break;
      logP += rng.normal() * step;
      const v = venues[Math.floor(rng.next() * venues.length)]!;
      const price = Math.round(Math.exp(logP) * (1 + (v.offsetPct ?? 0) / 100) * 100) / 100;
      out.push({ venue: v.venue, symbol, ts: Math.floor(t), price, qty: Math.round((rng.next() * 0.5 + 0.001) * 1e6) / 1e6, side: rng.next() < 0.5 ? 'buy' : 'sell' });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** A pump (or crash) on one venue's stream from `at` on. */
export function spike(ticks: Tick[], venue: string, symbol: string, at: number, pct: number, rampMs: number): Tick[] {
  const mine = ticks.filter((t) => t.venue === venue && t.symbol === symbol);
  const rest = ticks.filter((t) => !(t.venue === venue && t.symbol === symbol));
  return [...rest, ...injectMove(mine, at, pct, rampMs, 60)].sort((a, b) => a.ts - b.ts);
}

/** A feed status view over one venue's status board (what a Feed provides). */
export function boardView(board: StatusBoard): FeedStatusView {
  return { statuses: () => board.all(), onStatus: (fn) => board.on(fn) };
}

export interface Fixture {
  app: OpenAPIHono;
  dashboard: Dashboard;
  engine: Engine;
  store: MemoryStore;
  boards: Map<string, StatusBoard>;
  alerts: AlertEvent[];
  clock: { t: number } & Clock;
  /** Feeds ticks in order, the clock following them, closing bars as time passes. */
  play(ticks: readonly Tick[]): void;
  close(): void;
}

export interface FixtureOptions {
  deps?: Partial<DashboardDeps>;
  charts?: ChartPort;
  specs?: readonly VenueSpec[];
  /** A real clock (live tests) instead of one that follows the ticks. */
  realClock?: boolean;
}

/**
 * A real Engine (statistical detectors, short warm-up) whose alerts are recorded in a memory store,
 * a status board per venue, and the dashboard mounted on a fresh app.
 */
export function fixture(o: FixtureOptions = {}): Fixture {
  const clock = { t: 0, now: () => (o.realClock ? Date.now() : clock.t) };
  const store = new MemoryStore(clock);
  const alerts: AlertEvent[] = [];
  const engine = new Engine({
    options: { detectors: STATISTICAL_DETECTORS, warmupBars: 60 },
    clock,
    rules: new StaticRuleSource([presetRule('normal')]),
    sink: {
      publish: async (a) => {
        alerts.push(a);
        await store.recordAlert(a, ALERT_RETENTION_DEFAULTS);
      },
    },
    trainer: new InlineTrainer(),
  });
  const boards = new Map<string, StatusBoard>();
  for (const s of o.specs ?? MARKET) {
    let b = boards.get(s.venue);
    if (!b) boards.set(s.venue, (b = new StatusBoard(s.venue, clock, silentLog)));
    b.set(s.symbol, 'live', 'connected');
  }
  const app = new OpenAPIHono();
  const dashboard = mountDashboard(app, {
    engine,
    feeds: [...boards.values()].map(boardView),
    alerts: store,
    charts: o.charts,
    bars: new EngineBarSource(engine),
    clock,
    auth: { host: '127.0.0.1' },
    secrets: [],
    ...o.deps,
  });
  let lastAdvance = -Infinity;
  return {
    app,
    dashboard,
    engine,
    store,
    boards,
    alerts,
    clock,
    play(ticks) {
      for (const t of ticks) {
        clock.t = t.ts;
        engine.ingest(t);
        if (t.ts - lastAdvance >= 250) {
          engine.advance(t.ts);
          lastAdvance = t.ts;
        }
      }
    },
    close: () => dashboard.close(),
  };
}

/** Reads an event stream until `pred` holds for one `update` event's data, or the time is up. */
export async function readUpdates<T>(body: ReadableStream<Uint8Array>, pred: (u: T) => boolean, timeoutMs = 10_000): Promise<{ found: T; raw: string }> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let raw = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const r = await Promise.race([reader.read(), new Promise<null>((res) => setTimeout(() => res(null), Math.max(1, deadline - Date.now())))]);
      if (r === null || r.done) break;
      const text = dec.decode(r.value, { stream: true });
      raw += text;
      buf += text;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        if (event.includes('event: update') && data) {
          const u = JSON.parse(data.slice(6)) as T;
          if (pred(u)) return { found: u, raw };
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  throw new Error(`no matching update within ${timeoutMs} ms; got:\n${raw.slice(0, 2000)}`);
}
