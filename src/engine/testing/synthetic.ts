import { Rng } from '../core/math.js';
import type { Tick } from '../core/types.js';

export interface WalkOptions {
  venue?: string;
  symbol?: string;
  start?: number;
  /** Seconds of data. */
  seconds: number;
  /** Mean trades per second (Poisson). */
  rate?: number;
  price?: number;
  /** Per-second volatility of log price. */
  vol?: number;
  seed?: number;
  /**
   * Price grid (absolute). With it, trades print on the grid: at the nearest step to the walk, or
   * with `bounce` at the bid or the ask, a step apart around it (buys at the ask). Without it,
   * prices are rounded to cents.
   */
  tick?: number;
  bounce?: boolean;
}

/**
 * A calm market: a random walk in log price, Poisson trade arrivals, random sides and sizes.
 * Deterministic for a seed. Returns ticks in time order.
 */
export function randomWalk(o: WalkOptions): Tick[] {
  const rng = new Rng(o.seed ?? 1);
  const venue = o.venue ?? 'test';
  const symbol = o.symbol ?? 'BTC/USDT';
  const start = o.start ?? Date.UTC(2025, 7, 11, 12, 0, 0);
  const rate = o.rate ?? 5;
  const vol = o.vol ?? 0.0004;
  let logP = Math.log(o.price ?? 60_000);
  const out: Tick[] = [];
  let t = start;
  const end = start + o.seconds * 1000;
  const tickVol = vol / Math.sqrt(rate);
  while (true) {
    t += -Math.log(1 - rng.next()) * (1000 / rate);
    if (t >= end) break;
    logP += rng.normal() * tickVol;
    const qty = round(rng.next() * 0.5 + 0.001, 6);
    const side = rng.next() < 0.5 ? 'buy' : 'sell';
    out.push({ venue, symbol, ts: Math.floor(t), price: o.tick ? onGrid(Math.exp(logP), o.tick, o.bounce ? side : undefined) : round(Math.exp(logP)), qty, side });
  }
  return out;
}

/** The grid price nearest to x, or with a side the ask (buy) or the bid (sell) around it. */
function onGrid(x: number, tick: number, side: 'buy' | 'sell' | undefined): number {
  const steps = side === 'buy' ? Math.floor(x / tick) + 1 : side === 'sell' ? Math.ceil(x / tick) - 1 : Math.round(x / tick);
  return Number((steps * tick).toPrecision(12));
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Multiplies prices from `at` on by a ramp that reaches (1 + pct/100) after `rampMs` and stays
 * there; adds a burst of buy (or sell) trades at the start. The shape of a pump (or a crash).
 */
export function injectMove(ticks: Tick[], at: number, pct: number, rampMs: number, burstTrades = 40): Tick[] {
  const out: Tick[] = [];
  const f = (ts: number) => 1 + (pct / 100) * Math.min(1, Math.max(0, (ts - at) / Math.max(1, rampMs)));
  let injected = false;
  for (const t of ticks) {
    if (!injected && t.ts >= at) {
      injected = true;
      const side = pct >= 0 ? 'buy' : 'sell';
      for (let i = 0; i < burstTrades; i++) {
        out.push({ ...t, ts: at + Math.floor(i / 8), price: round(t.price * f(at + i / 8)), qty: 0.5, side, id: undefined });
      }
    }
    out.push({ ...t, price: round(t.price * f(t.ts)) });
  }
  return out;
}

export interface VenueWalkOptions {
  venues: readonly string[];
  symbol?: string;
  start: number;
  seconds: number;
  /** Price multiplier per venue and second (1: with the market): moves one venue away. */
  bend?: (venue: string, second: number) => number;
  seed?: number;
}

/**
 * One market on several venues: a common random walk (0.02% a second), and on every venue three
 * trades a second (at 0, 400 and 800 ms) a little noisy around it. Yields second by second, each
 * venue's trades of that second in venue order, so that feeding them in turn interleaves the
 * venues' bars as they would live.
 */
export function* venueWalk(o: VenueWalkOptions): Generator<{ venue: string; ticks: Tick[] }[]> {
  const rng = new Rng(o.seed ?? 1);
  const symbol = o.symbol ?? 'BTC/USDT';
  const bend = o.bend ?? (() => 1);
  let p = 60_000;
  for (let s = 0; s < o.seconds; s++) {
    p *= Math.exp(rng.normal() * 0.0002);
    yield o.venues.map((venue) => ({
      venue,
      ticks: [0, 400, 800].map((ms): Tick => ({
        venue,
        symbol,
        ts: o.start + s * 1_000 + ms,
        price: round(p * bend(venue, s) * (1 + rng.normal() * 0.00005)),
        qty: 0.01 + rng.next() * 0.1,
        side: rng.next() < 0.5 ? 'buy' : 'sell',
      })),
    }));
  }
}
