/**
 * Synthetic crypto-like trade streams with labelled events, deterministic for a seed: a random walk
 * in log price with volatility clustering (GARCH(1,1) on 1-second returns) and jumps, bid-ask
 * bounce on a price tick, Poisson trade arrivals with market orders that sweep several levels in
 * one millisecond, and scripted events: pump-and-dumps with trade bursts, flash crashes, exchange
 * outages (no trades while the price moves on), flat stretches (the price does not move at all),
 * thin-market periods and bursts of activity that move nothing. Multi-venue streams put one such
 * market on several venues (each with its own trade rate, lag, basis and tick) and script one venue
 * breaking away from the others.
 */
import { Rng } from '../core/math.js';
import type { Side } from '../core/types.js';

/** The engine's SFC32 generator, under the name the synthetic market has always used for it. */
export { Rng as Sfc32 } from '../core/math.js';

export interface SyntheticTrade {
  ts: number;
  price: number;
  qty: number;
  side: Side;
  /** Set on the trades of multi-venue streams. */
  venue?: string;
}

/** Times are milliseconds from the stream's start. */
export type MarketEvent =
  | {
      kind: 'pump';
      at: number;
      /** Rise from the pre-pump price to the top, percent. */
      risePct: number;
      riseMs: number;
      holdMs: number;
      dumpMs: number;
      /** Trade-rate multiple while rising (bursts of buys). */
      intensity: number;
    }
  | { kind: 'crash'; at: number; dropPct: number; dropMs: number; recoverMs: number; intensity: number }
  /** The venue stops sending trades; the market keeps moving. */
  | { kind: 'outage'; at: number; ms: number }
  /** Trades keep printing at one price. */
  | { kind: 'flat'; at: number; ms: number }
  /** Trade rate multiplied by `factor` (< 1: a thin market, > 1: activity with no price move). */
  | { kind: 'rate'; at: number; ms: number; factor: number };

export interface StreamSpec {
  name: string;
  seed: number;
  /** Epoch ms of the first second. */
  start: number;
  seconds: number;
  price: number;
  /** Mean trades per second in calm conditions. */
  rate: number;
  /** Long-run standard deviation of 1-second log returns. */
  vol: number;
  /** GARCH(1,1) reaction and persistence of the 1-second variance (alpha + beta < 1). */
  garchAlpha: number;
  garchBeta: number;
  /** Jumps per hour and the mean absolute size of a jump (log return, Laplace). */
  jumpsPerHour: number;
  jumpSize: number;
  /** Price tick (absolute). Trades print at bid or ask, half a spread of one tick from the mid. */
  tick: number;
  /** Mean trade size in base units (sizes are log-normal). */
  qty: number;
  events: MarketEvent[];
}

/** A labelled anomaly: from the first abnormal trade to the end of the event, epoch ms. */
export interface LabelledEvent {
  kind: 'pump' | 'crash' | 'breakaway';
  start: number;
  end: number;
}

export interface SyntheticStream {
  spec: StreamSpec;
  trades: SyntheticTrade[];
  labels: LabelledEvent[];
}

/** Share of trades that are market orders sweeping several price levels in one millisecond. */
const SWEEP_PROBABILITY = 0.04;
/** Mean extra fills of a sweep (geometric). */
const SWEEP_MEAN_EXTRA = 2;
/** Log-normal spread of trade sizes. */
const QTY_SIGMA = 1.1;
/** Aggressor share of the pumping (or crashing) side during an event's first leg. */
const EVENT_SIDE_SHARE = 0.85;
/** A pump gives back all but this share of its rise in the dump. */
const PUMP_RETAINED = 0.2;
/** A crash recovers this share of its drop. */
const CRASH_RECOVERED = 0.7;
/** Volatility multiple while a pump holds at the top. */
const HOLD_VOL_MULTIPLE = 3;

function laplace(rng: Rng, meanAbs: number): number {
  const u = rng.next() - 0.5;
  return -meanAbs * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

interface EventState {
  /** Log-price offset the events add at this second. */
  offset: number;
  rateMultiple: number;
  /** Probability that a trade is a buy. */
  buyShare: number;
  volMultiple: number;
  outage: boolean;
  flat: boolean;
  /** A sweep is this many times likelier (pumps and crashes are market orders). */
  sweepMultiple: number;
}

function eventState(events: readonly MarketEvent[], tMs: number, out: EventState): EventState {
  out.offset = 0;
  out.rateMultiple = 1;
  out.buyShare = 0.5;
  out.volMultiple = 1;
  out.outage = false;
  out.flat = false;
  out.sweepMultiple = 1;
  for (const e of events) {
    const u = tMs - e.at;
    if (u < 0) continue;
    switch (e.kind) {
      case 'pump': {
        const top = Math.log(1 + e.risePct / 100);
        if (u < e.riseMs) {
          const x = u / e.riseMs;
          out.offset += top * (1 - (1 - x) * (1 - x));
          out.rateMultiple *= e.intensity;
          out.buyShare = EVENT_SIDE_SHARE;
          out.sweepMultiple *= 5;
        } else if (u < e.riseMs + e.holdMs) {
          out.offset += top;
          out.rateMultiple *= Math.max(1, e.intensity / 3);
          out.volMultiple *= HOLD_VOL_MULTIPLE;
        } else if (u < e.riseMs + e.holdMs + e.dumpMs) {
          const x = (u - e.riseMs - e.holdMs) / e.dumpMs;
          out.offset += top * (1 - (1 - PUMP_RETAINED) * Math.sqrt(x));
          out.rateMultiple *= Math.max(1, e.intensity / 2);
          out.buyShare = 1 - EVENT_SIDE_SHARE;
          out.sweepMultiple *= 3;
        } else out.offset += top * PUMP_RETAINED;
        break;
      }
      case 'crash': {
        const bottom = Math.log(1 - e.dropPct / 100);
        if (u < e.dropMs) {
          out.offset += bottom * (u / e.dropMs);
          out.rateMultiple *= e.intensity;
          out.buyShare = 1 - EVENT_SIDE_SHARE;
          out.sweepMultiple *= 5;
        } else if (u < e.dropMs + e.recoverMs) {
          const x = (u - e.dropMs) / e.recoverMs;
          out.offset += bottom * (1 - CRASH_RECOVERED * x);
          out.rateMultiple *= Math.max(1, e.intensity / 3);
        } else out.offset += bottom * (1 - CRASH_RECOVERED);
        break;
      }
      case 'outage':
        if (u < e.ms) out.outage = true;
        break;
      case 'flat':
        if (u < e.ms) out.flat = true;
        break;
      case 'rate':
        if (u < e.ms) out.rateMultiple *= e.factor;
        break;
    }
  }
  return out;
}

/** Milliseconds, sorted, of the trades of one second with Poisson arrivals at `lambda` a second. */
function arrivals(rng: Rng, lambda: number): number[] {
  const n = poisson(rng, lambda);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push(Math.floor(rng.next() * 1000));
  return ms.sort((a, b) => a - b);
}

/** Extra price levels a trade sweeps (0 for most; a market order now and then takes several). */
function sweepFills(rng: Rng, sweepMultiple: number): number {
  return rng.next() < SWEEP_PROBABILITY * sweepMultiple ? 1 + Math.floor(-Math.log(1 - rng.next()) * SWEEP_MEAN_EXTRA) : 0;
}

/** A log-normal trade size with the given mean, to 6 significant digits. */
function tradeQty(rng: Rng, mean: number): number {
  return Number((mean * Math.exp(QTY_SIGMA * rng.normal() - (QTY_SIGMA * QTY_SIGMA) / 2)).toPrecision(6));
}

function roundTo(x: number, tick: number): number {
  const n = Math.round(x / tick);
  // Print with the tick's own decimals so that CSV text stays short and exact.
  const decimals = Math.max(0, Math.ceil(-Math.log10(tick) - 1e-9));
  return Number((n * tick).toFixed(decimals));
}

/** The stream's trades, in time order, and its labelled events. Deterministic for spec.seed. */
export function generateStream(spec: StreamSpec): SyntheticStream {
  const rng = new Rng(spec.seed);
  const omega = spec.vol * spec.vol * (1 - spec.garchAlpha - spec.garchBeta);
  if (!(omega > 0)) throw new RangeError(`garchAlpha + garchBeta must be below 1 (got ${spec.garchAlpha + spec.garchBeta})`);
  let h = spec.vol * spec.vol;
  let lastR = 0;
  let logMid = Math.log(spec.price);
  const jumpP = spec.jumpsPerHour / 3600;
  const trades: SyntheticTrade[] = [];
  const st: EventState = { offset: 0, rateMultiple: 1, buyShare: 0.5, volMultiple: 1, outage: false, flat: false, sweepMultiple: 1 };
  let flatPrice = NaN;
  let prevOffset = 0;
  for (let s = 0; s < spec.seconds; s++) {
    eventState(spec.events, s * 1000, st);
    h = omega + spec.garchAlpha * lastR * lastR + spec.garchBeta * h;
    const r = Math.sqrt(h) * rng.normal() * st.volMultiple;
    lastR = r / st.volMultiple;
    const jump = rng.next() < jumpP ? laplace(rng, spec.jumpSize) : 0;
    const from = logMid;
    if (!st.flat) logMid += r + jump + (st.offset - prevOffset);
    prevOffset = st.offset;
    if (st.outage) continue;
    const base = spec.start + s * 1000;
    for (const m of arrivals(rng, spec.rate * st.rateMultiple)) {
      const side: Side = rng.next() < st.buyShare ? 'buy' : 'sell';
      const mid = Math.exp(from + (logMid - from) * ((m + 1) / 1000));
      let level = side === 'buy' ? mid + spec.tick / 2 : mid - spec.tick / 2;
      if (st.flat) {
        if (Number.isNaN(flatPrice)) flatPrice = roundTo(level, spec.tick);
        level = flatPrice;
      } else flatPrice = NaN;
      const fills = sweepFills(rng, st.sweepMultiple);
      for (let k = 0; k <= fills; k++) {
        const px = st.flat ? level : roundTo(level + (side === 'buy' ? k : -k) * spec.tick, spec.tick);
        if (!(px > 0)) continue;
        trades.push({ ts: base + m, price: px, qty: tradeQty(rng, spec.qty), side });
      }
    }
  }
  const labels: LabelledEvent[] = [];
  for (const e of spec.events) {
    if (e.kind !== 'pump' && e.kind !== 'crash') continue;
    const len = e.kind === 'pump' ? e.riseMs + e.holdMs + e.dumpMs : e.dropMs + e.recoverMs;
    const start = spec.start + e.at;
    const first = trades.find((t) => t.ts >= start);
    labels.push({ kind: e.kind, start: first ? Math.min(first.ts, start + len) : start, end: start + len });
  }
  return { spec, trades, labels };
}

const HOUR = 3_600_000;
const MIN = 60_000;

/** Shortest default streams: below this their scripted events would overlap. */
export const MIN_DEFAULT_HOURS = 4;

/** Where the default set starts (a fixed date keeps every run identical). */
export const SYNTHETIC_START = Date.UTC(2025, 0, 6, 0, 0, 0);

/**
 * The default labelled set: three calm streams (a major pair, an alt with a flat stretch and an
 * outage, a thin market with long silences) and three with events (pumps on an alt, pumps on a thin
 * market, flash crashes on a major pair). `hours` scales every stream; events keep their shapes.
 */
export function defaultMarketSpecs(seed: number, hours = 24): StreamSpec[] {
  if (!(hours >= MIN_DEFAULT_HOURS)) throw new RangeError(`default synthetic streams need at least ${MIN_DEFAULT_HOURS} hours, got ${hours}`);
  const seconds = Math.round(hours * 3600);
  const d = hours * HOUR;
  /** Event times as fractions of the stream, so shorter runs keep every event. */
  const at = (f: number) => Math.round(f * d);
  const common = { start: SYNTHETIC_START, seconds, garchAlpha: 0.04, garchBeta: 0.95 };
  const pump = (f: number, risePct: number, riseS: number, intensity: number): MarketEvent => ({
    kind: 'pump',
    at: at(f),
    risePct,
    riseMs: riseS * 1000,
    holdMs: 3 * MIN,
    dumpMs: 6 * MIN,
    intensity,
  });
  return [
    {
      ...common,
      name: 'calm-major',
      seed: seed + 1,
      price: 60_000,
      rate: 6,
      vol: 1.2e-4,
      jumpsPerHour: 0.5,
      jumpSize: 0.0008,
      tick: 0.01,
      qty: 0.02,
      events: [
        { kind: 'rate', at: at(0.3), ms: 20 * MIN, factor: 4 },
        { kind: 'rate', at: at(0.7), ms: 10 * MIN, factor: 6 },
      ],
    },
    {
      ...common,
      name: 'calm-alt',
      seed: seed + 2,
      price: 2.5,
      rate: 1,
      vol: 2.5e-4,
      jumpsPerHour: 1,
      jumpSize: 0.0015,
      tick: 0.0001,
      qty: 400,
      events: [
        { kind: 'flat', at: at(0.25), ms: 40 * MIN },
        { kind: 'outage', at: at(0.5), ms: 10 * MIN },
        { kind: 'rate', at: at(0.8), ms: 15 * MIN, factor: 5 },
      ],
    },
    {
      ...common,
      name: 'calm-thin',
      seed: seed + 3,
      price: 0.05,
      rate: 0.08,
      vol: 3e-4,
      jumpsPerHour: 1,
      jumpSize: 0.002,
      tick: 0.00001,
      qty: 20_000,
      events: [
        { kind: 'rate', at: at(0.2), ms: 2 * HOUR, factor: 0.2 },
        { kind: 'outage', at: at(0.6), ms: 30 * MIN },
      ],
    },
    {
      ...common,
      // A low-priced alt on a coarse tick (0.8% of the price): every trade prints at the bid or the
      // ask, the bounce between them is larger than what the market moves in a minute, and a
      // market order that sweeps a few levels prints a wick of several percent.
      name: 'calm-wide',
      seed: seed + 9,
      price: 0.0125,
      rate: 0.3,
      vol: 3e-4,
      jumpsPerHour: 1,
      jumpSize: 0.002,
      tick: 0.0001,
      qty: 80_000,
      events: [
        { kind: 'rate', at: at(0.4), ms: 20 * MIN, factor: 4 },
        { kind: 'outage', at: at(0.7), ms: 15 * MIN },
      ],
    },
    {
      ...common,
      name: 'pumps-alt',
      seed: seed + 4,
      price: 0.8,
      rate: 0.7,
      vol: 3e-4,
      jumpsPerHour: 1,
      jumpSize: 0.0015,
      tick: 0.0001,
      qty: 1_500,
      events: [pump(0.1, 25, 30, 40), pump(0.25, 12, 45, 25), pump(0.4, 6, 60, 15), pump(0.55, 4, 90, 10), pump(0.7, 15, 20, 30), pump(0.85, 3, 120, 8)],
    },
    {
      ...common,
      name: 'pumps-thin',
      seed: seed + 5,
      price: 0.02,
      rate: 0.1,
      vol: 4e-4,
      jumpsPerHour: 1,
      jumpSize: 0.002,
      tick: 0.00001,
      qty: 50_000,
      events: [pump(0.15, 30, 40, 60), pump(0.4, 10, 60, 40), pump(0.65, 5, 90, 30), pump(0.85, 20, 30, 50)],
    },
    {
      ...common,
      // The usual pump target: a thin alt on a coarse tick (0.6% of the price), as calm-wide.
      name: 'pumps-wide',
      seed: seed + 10,
      price: 0.008,
      rate: 0.3,
      vol: 3e-4,
      jumpsPerHour: 1,
      jumpSize: 0.002,
      tick: 0.00005,
      qty: 120_000,
      events: [pump(0.15, 30, 30, 40), pump(0.4, 12, 60, 25), pump(0.65, 6, 45, 15), pump(0.85, 20, 20, 30)],
    },
    {
      ...common,
      name: 'crashes-major',
      seed: seed + 6,
      price: 3_000,
      rate: 4,
      vol: 1.5e-4,
      jumpsPerHour: 0.5,
      jumpSize: 0.001,
      tick: 0.01,
      qty: 0.5,
      events: [
        { kind: 'crash', at: at(0.2), dropPct: 8, dropMs: 15_000, recoverMs: 5 * MIN, intensity: 15 },
        // A liquidation cascade: most of the fall within a few one-second bars.
        { kind: 'crash', at: at(0.35), dropPct: 12, dropMs: 5_000, recoverMs: 3 * MIN, intensity: 30 },
        { kind: 'crash', at: at(0.5), dropPct: 4, dropMs: 40_000, recoverMs: 10 * MIN, intensity: 8 },
        { kind: 'crash', at: at(0.8), dropPct: 3, dropMs: 60_000, recoverMs: 10 * MIN, intensity: 6 },
      ],
    },
  ];
}

/** Trades as the `tickwatch replay` trades CSV (with a `venue` column when the trades name one). */
export function tradesCsv(trades: readonly SyntheticTrade[]): string {
  const venues = trades.some((t) => t.venue !== undefined);
  const lines = [venues ? 'timestamp,price,amount,side,venue' : 'timestamp,price,amount,side'];
  for (const t of trades) lines.push(venues ? `${t.ts},${t.price},${t.qty},${t.side},${t.venue ?? ''}` : `${t.ts},${t.price},${t.qty},${t.side}`);
  return `${lines.join('\n')}\n`;
}

/** Times are milliseconds from the stream's start. */
export type VenueEvent =
  /**
   * This venue alone moves `devPct` away from the market over `rampMs` (on a burst of trades on
   * that side), stays there `holdMs`, and comes back over `backMs`: a manipulated wick, a local
   * liquidation cascade, a depeg of the venue's quote asset.
   */
  | { kind: 'breakaway'; at: number; devPct: number; rampMs: number; holdMs: number; backMs: number; intensity: number }
  /** The venue sends no trades. */
  | { kind: 'outage'; at: number; ms: number };

export interface VenueSpec {
  name: string;
  /** Mean trades per second. */
  rate: number;
  /** The venue's prices follow the market this late. */
  lagMs: number;
  /** Standing premium over the market, percent. */
  basisPct: number;
  tick: number;
  qty: number;
  events: VenueEvent[];
}

/** One market on several venues: the StreamSpec walk (no events) and each venue's own trading. */
export interface MultiVenueSpec {
  name: string;
  seed: number;
  start: number;
  seconds: number;
  price: number;
  vol: number;
  garchAlpha: number;
  garchBeta: number;
  jumpsPerHour: number;
  jumpSize: number;
  venues: VenueSpec[];
}

export interface MultiVenueStream {
  spec: MultiVenueSpec;
  /** Every venue's trades, merged in time order. */
  trades: SyntheticTrade[];
  labels: LabelledEvent[];
}

/** The market's log mid at the end of every second (index 0: the start). */
function marketPath(spec: MultiVenueSpec, rng: Rng): Float64Array {
  const omega = spec.vol * spec.vol * (1 - spec.garchAlpha - spec.garchBeta);
  if (!(omega > 0)) throw new RangeError(`garchAlpha + garchBeta must be below 1 (got ${spec.garchAlpha + spec.garchBeta})`);
  const mid = new Float64Array(spec.seconds + 1);
  mid[0] = Math.log(spec.price);
  let h = spec.vol * spec.vol;
  let lastR = 0;
  const jumpP = spec.jumpsPerHour / 3600;
  for (let s = 0; s < spec.seconds; s++) {
    h = omega + spec.garchAlpha * lastR * lastR + spec.garchBeta * h;
    lastR = Math.sqrt(h) * rng.normal();
    mid[s + 1] = mid[s] + lastR + (rng.next() < jumpP ? laplace(rng, spec.jumpSize) : 0);
  }
  return mid;
}

/** A venue's departure from the market at time u (ms from the start), as a log offset, and its trading. */
function venueState(events: readonly VenueEvent[], u: number, out: EventState): EventState {
  out.offset = 0;
  out.rateMultiple = 1;
  out.buyShare = 0.5;
  out.outage = false;
  out.sweepMultiple = 1;
  for (const e of events) {
    const v = u - e.at;
    if (v < 0) continue;
    if (e.kind === 'outage') {
      if (v < e.ms) out.outage = true;
      continue;
    }
    const full = Math.log(1 + e.devPct / 100);
    if (v < e.rampMs) {
      out.offset += full * (v / e.rampMs);
      out.rateMultiple *= e.intensity;
      out.buyShare = e.devPct > 0 ? EVENT_SIDE_SHARE : 1 - EVENT_SIDE_SHARE;
      out.sweepMultiple *= 5;
    } else if (v < e.rampMs + e.holdMs) {
      out.offset += full;
      out.rateMultiple *= Math.max(1, e.intensity / 3);
    } else if (v < e.rampMs + e.holdMs + e.backMs) {
      out.offset += full * (1 - (v - e.rampMs - e.holdMs) / e.backMs);
      out.rateMultiple *= Math.max(1, e.intensity / 3);
    }
  }
  return out;
}

/**
 * Trades of one market on several venues, merged in time order, and the labelled breakaways.
 * Every venue prints the market's mid as it stood `lagMs` earlier, times its basis and any
 * breakaway of its own, at bid or ask on its own tick, with its own Poisson arrivals and sweeps.
 * Deterministic for spec.seed.
 */
export function generateMultiVenue(spec: MultiVenueSpec): MultiVenueStream {
  const mid = marketPath(spec, new Rng(spec.seed));
  const midAt = (ms: number): number => {
    const x = Math.min(spec.seconds, Math.max(0, ms / 1000));
    const i = Math.min(spec.seconds - 1, Math.floor(x));
    return mid[i] + (mid[i + 1] - mid[i]) * (x - i);
  };
  const trades: SyntheticTrade[] = [];
  const labels: LabelledEvent[] = [];
  const st: EventState = { offset: 0, rateMultiple: 1, buyShare: 0.5, volMultiple: 1, outage: false, flat: false, sweepMultiple: 1 };
  spec.venues.forEach((v, vi) => {
    const rng = new Rng(spec.seed * 31 + vi + 1);
    const basis = Math.log(1 + v.basisPct / 100);
    const own: SyntheticTrade[] = [];
    for (let s = 0; s < spec.seconds; s++) {
      venueState(v.events, s * 1000, st);
      if (st.outage) continue;
      for (const m of arrivals(rng, v.rate * st.rateMultiple)) {
        const u = s * 1000 + m;
        venueState(v.events, u, st);
        const side: Side = rng.next() < st.buyShare ? 'buy' : 'sell';
        const px = Math.exp(midAt(u - v.lagMs) + basis + st.offset);
        const level = side === 'buy' ? px + v.tick / 2 : px - v.tick / 2;
        const fills = sweepFills(rng, st.sweepMultiple);
        for (let k = 0; k <= fills; k++) {
          const p = roundTo(level + (side === 'buy' ? k : -k) * v.tick, v.tick);
          if (!(p > 0)) continue;
          own.push({ ts: spec.start + u, price: p, qty: tradeQty(rng, v.qty), side, venue: v.name });
        }
      }
    }
    for (const e of v.events) {
      if (e.kind !== 'breakaway') continue;
      const start = spec.start + e.at;
      const end = start + e.rampMs + e.holdMs + e.backMs;
      const first = own.find((t) => t.ts >= start);
      labels.push({ kind: 'breakaway', start: first ? Math.min(first.ts, end) : start, end });
    }
    for (const t of own) trades.push(t);
  });
  // Stable: trades of one millisecond keep their venue order.
  trades.sort((a, b) => a.ts - b.ts);
  labels.sort((a, b) => a.start - b.start);
  return { spec, trades, labels };
}

/**
 * The default multi-venue set: a major pair on four venues with no event (lags of up to 1.2 s, a
 * thin venue, a 15-minute outage of one venue; the cross-venue checks must stay quiet through the
 * market's own jumps and bursts), and an alt on four venues where each venue in turn breaks away
 * (2 to 10%, over 5 s to 2 minutes, up and down, on the largest venue and on thin ones).
 */
export function defaultVenueSpecs(seed: number, hours = 24): MultiVenueSpec[] {
  if (!(hours >= MIN_DEFAULT_HOURS)) throw new RangeError(`default synthetic streams need at least ${MIN_DEFAULT_HOURS} hours, got ${hours}`);
  const seconds = Math.round(hours * 3600);
  const at = (f: number) => Math.round(f * hours * HOUR);
  const common = { start: SYNTHETIC_START, seconds, garchAlpha: 0.04, garchBeta: 0.95 };
  const away = (f: number, devPct: number, rampS: number, holdS: number, backS: number, intensity: number): VenueEvent => ({
    kind: 'breakaway',
    at: at(f),
    devPct,
    rampMs: rampS * 1000,
    holdMs: holdS * 1000,
    backMs: backS * 1000,
    intensity,
  });
  return [
    {
      ...common,
      name: 'calm-venues',
      seed: seed + 7,
      price: 60_000,
      vol: 1.2e-4,
      jumpsPerHour: 0.5,
      jumpSize: 0.0008,
      venues: [
        { name: 'alpha', rate: 5, lagMs: 0, basisPct: 0, tick: 0.01, qty: 0.02, events: [] },
        { name: 'beta', rate: 3, lagMs: 300, basisPct: 0.02, tick: 0.1, qty: 0.02, events: [] },
        { name: 'gamma', rate: 1, lagMs: 1_200, basisPct: -0.03, tick: 0.5, qty: 0.05, events: [{ kind: 'outage', at: at(0.5), ms: 15 * MIN }] },
        { name: 'delta', rate: 0.2, lagMs: 800, basisPct: 0.05, tick: 1, qty: 0.1, events: [] },
      ],
    },
    {
      ...common,
      name: 'breakaways-venues',
      seed: seed + 8,
      price: 1.2,
      vol: 2.5e-4,
      jumpsPerHour: 1,
      jumpSize: 0.0015,
      venues: [
        { name: 'alpha', rate: 2, lagMs: 0, basisPct: 0, tick: 0.0001, qty: 800, events: [away(0.9, 4, 30, 90, 60, 6)] },
        { name: 'beta', rate: 1, lagMs: 400, basisPct: 0.03, tick: 0.0001, qty: 800, events: [away(0.55, 2, 20, 120, 60, 5)] },
        { name: 'gamma', rate: 0.5, lagMs: 1_000, basisPct: -0.04, tick: 0.0001, qty: 1_500, events: [away(0.15, 6, 10, 60, 30, 10), away(0.75, -10, 5, 20, 10, 20)] },
        { name: 'delta', rate: 0.3, lagMs: 600, basisPct: 0.02, tick: 0.0001, qty: 2_000, events: [away(0.35, -3, 120, 300, 300, 3)] },
      ],
    },
  ];
}
