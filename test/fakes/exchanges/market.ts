import { randomWalk } from '../../../src/engine/testing/synthetic.js';
import type { NewTrade } from './fake-exchange.js';

export interface CalmOptions {
  /** First possible trade time, epoch ms. */
  start: number;
  seconds: number;
  price: number;
  /** Trades per second (Poisson). */
  rate?: number;
  /** Per-second volatility of log price. */
  vol?: number;
  seed?: number;
}

/** A calm market: a seeded random walk (the engine's own test generator), as fake-venue trades. */
export function calmTrades(o: CalmOptions): NewTrade[] {
  return randomWalk({ start: o.start, seconds: o.seconds, price: o.price, rate: o.rate ?? 4, vol: o.vol ?? 0.0003, seed: o.seed ?? 1 }).map((t) => ({
    ts: t.ts,
    price: t.price,
    qty: t.qty,
    side: t.side ?? 'buy',
  }));
}

export interface SpikeOptions {
  start: number;
  /** Price before the spike. */
  from: number;
  /** Signed percent move at the top. */
  pct: number;
  /** Trades in the spike, spread evenly over spanMs. */
  trades: number;
  spanMs: number;
  qty?: number;
}

/** A burst of aggressive trades moving the price by pct over spanMs (a pump, or a crash). */
export function spikeTrades(o: SpikeOptions): NewTrade[] {
  const out: NewTrade[] = [];
  const side = o.pct >= 0 ? 'buy' : 'sell';
  for (let i = 0; i < o.trades; i++) {
    const f = (i + 1) / o.trades;
    out.push({ ts: o.start + Math.floor((f * o.spanMs) - o.spanMs / o.trades), price: round(o.from * (1 + (o.pct / 100) * f)), qty: o.qty ?? 0.5, side });
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
