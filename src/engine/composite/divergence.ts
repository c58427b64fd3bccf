import { alertId } from '../alerts/alert-rules.js';
import { alphaForHalfLife, EwStats, scoreFromZ } from '../core/math.js';
import type { AlertEvent, BarOrigin, Direction } from '../core/types.js';
import type { CompositeBook } from './composite.js';
import { median } from './composite.js';

export interface DivergenceOptions {
  /** Fresh venues needed, the one judged included, so that the one that broke away is known. */
  minVenues: number;
  /** Half-life, in bars, of each venue's usual deviation from the others. */
  halfLifeBars: number;
  /** Band, in standard deviations of the venue's own usual deviation. */
  bandSigmas: number;
  /** The band is never narrower than this, in percent (ticks, fees and noise). */
  minBandPct: number;
  /** Bars a (venue, symbol) must have been compared before it may alert. */
  warmupBars: number;
  /** After an alert, the same venue and direction alert again only once back within the band, or after this. */
  cooldownMs: number;
  /**
   * The venue's own price must still be out of the band on a bar that ends more than this after
   * its first bar out of the band began (with 1-second bars: its next bar).
   */
  holdMs: number;
}

export const DIVERGENCE_DEFAULTS: Readonly<DivergenceOptions> = Object.freeze({
  minVenues: 3,
  halfLifeBars: 300,
  bandSigmas: 8,
  minBandPct: 0.5,
  warmupBars: 60,
  cooldownMs: 15 * 60_000,
  holdMs: 1_000,
});

/** The detector name on divergence alerts, and their rule id. */
export const DIVERGENCE = 'divergence';

/** A bar of one venue, as the engine's evaluation reports it. */
export interface VenueBar {
  venue: string;
  symbol: string;
  barTs: number;
  /** Bar end. */
  ts: number;
  price: number;
  quoteVolume: number;
  origin: BarOrigin;
  afterGap: boolean;
}

interface State {
  venue: string;
  stats: EwStats;
  armed: boolean;
  lastAlertTs: number;
  /** Out of the band, waiting for the other venues to trade since and still disagree. */
  pending: Pending | null;
}

interface Pending {
  /** Start of the venue's first bar out of the band (the alert is about it). */
  since: number;
  dir: 1 | -1;
  /** The venue's usual gap and band as they stood when it left the band. */
  mean: number;
  band: number;
  sd: number;
  quoteVolume: number;
}

/**
 * One venue breaking away from the others: each bar, a venue's log price is compared with the
 * composite (the median of the fresh venues). Each (venue, symbol) learns its own usual deviation (a basis,
 * a wider spread); a deviation beyond bandSigmas of that, and beyond minBandPct, is an alert for
 * that venue only (possible manipulation, outage or depeg).
 *
 * The others must have traded since the venue left the band, and still disagree with it, and the
 * venue must stay away on a later bar of its own: when the whole market jumps, the venue that
 * trades first stands apart from the last prices of the others until they trade too (a thin
 * venue's last price can be seconds old), and a slow venue prints the price of a second ago. So a
 * venue out of the band is held pending until at least minVenues - 1 others have a bar that closed
 * after its first bar out of the band began and its own price is still away more than holdMs
 * later; then it is judged against those others' prices alone, and alerts or is forgotten. A
 * pending venue whose others do not trade within the composite's freshness is dropped.
 */
export class DivergenceDetector {
  private readonly states = new Map<string, State>();
  /** Venues with state, per symbol (to revisit their pending checks on any venue's bar). */
  private readonly venuesOf = new Map<string, State[]>();
  private readonly opt: DivergenceOptions;
  private readonly alpha: number;

  constructor(
    private readonly book: CompositeBook,
    opt: Partial<DivergenceOptions> = {},
  ) {
    this.opt = { ...DIVERGENCE_DEFAULTS, ...opt };
    this.alpha = alphaForHalfLife(this.opt.halfLifeBars);
  }

  /**
   * Judges one bar (call after book.update for it): that venue's own gap, and any other venue of
   * the symbol waiting for the others to trade. Returns the alerts raised, normally none.
   */
  onBar(b: VenueBar): AlertEvent[] {
    const out: AlertEvent[] = [];
    if (!(b.price > 0)) return out;
    const own = b.afterGap ? null : this.judge(b);
    if (own) out.push(own);
    // This bar may be the trade another venue's divergence was waiting for.
    for (const s of this.venuesOf.get(b.symbol) ?? []) {
      if (s.venue === b.venue || !s.pending) continue;
      const a = this.confirm(s, b.symbol, b.ts, b.origin);
      if (a) out.push(a);
    }
    return out;
  }

  private state(venue: string, symbol: string): State {
    const key = `${venue}:${symbol}`;
    let s = this.states.get(key);
    if (!s) {
      s = { venue, stats: new EwStats(this.alpha), armed: true, lastAlertTs: -Infinity, pending: null };
      this.states.set(key, s);
      const list = this.venuesOf.get(symbol);
      if (list) list.push(s);
      else this.venuesOf.set(symbol, [s]);
    }
    return s;
  }

  private judge(b: VenueBar): AlertEvent | null {
    const others = this.book.fresh(b.symbol, b.ts, b.venue);
    if (others.length + 1 < this.opt.minVenues) return null;
    // The composite includes the venue judged: with three venues, the median of the two others
    // would be their mean, pulled by an outlier among them; the median of all three is not.
    const ref = median([b.price, ...others.map((p) => p.price)]);
    const d = Math.log(b.price / ref);
    const s = this.state(b.venue, b.symbol);
    const st = s.stats;
    const band = Math.max(this.opt.minBandPct / 100, this.opt.bandSigmas * st.std);
    const x = d - st.mean;
    const warm = st.n >= this.opt.warmupBars;
    const mean = st.mean;
    const sd = st.std;
    // Learn from the bar, clipped to the band: a venue that stays away is not learned as normal at once.
    st.update(st.mean + Math.max(-band, Math.min(band, x)));
    if (!warm || b.origin === 'restore') return null;
    if (Math.abs(x) <= band) {
      s.armed = true;
      s.pending = null;
      return null;
    }
    const dir = x > 0 ? 1 : -1;
    if (s.pending && s.pending.dir !== dir) s.pending = null;
    if (!s.pending) {
      if (!s.armed && b.ts - s.lastAlertTs < this.opt.cooldownMs) return null;
      s.pending = { since: b.barTs, dir, mean, band, sd, quoteVolume: b.quoteVolume };
    }
    return this.confirm(s, b.symbol, b.ts, b.origin);
  }

  /** Alerts for a pending venue once enough others have traded since it left the band and still disagree. */
  private confirm(s: State, symbol: string, now: number, origin: BarOrigin): AlertEvent | null {
    const p = s.pending!;
    if (origin === 'restore') return null;
    if (now - p.since > this.book.freshMs) {
      s.pending = null;
      return null;
    }
    const self = this.book.all(symbol).find((v) => v.venue === s.venue);
    if (!self || !(self.price > 0)) return null;
    // Its own later bar must still be away: a slow venue printing the price of a second ago is not.
    if (self.ts - p.since <= this.opt.holdMs) return null;
    const since = this.book.fresh(symbol, now, s.venue).filter((v) => v.ts > p.since);
    if (since.length + 1 < this.opt.minVenues) return null;
    s.pending = null;
    const ref = median([self.price, ...since.map((v) => v.price)]);
    const x = Math.log(self.price / ref) - p.mean;
    if (Math.abs(x) <= p.band || (x > 0 ? 1 : -1) !== p.dir) return null;
    s.armed = false;
    s.lastAlertTs = now;
    const bar: VenueBar = { venue: s.venue, symbol, barTs: p.since, ts: now, price: self.price, quoteVolume: p.quoteVolume, origin, afterGap: false };
    return this.alert(bar, ref, since.map((v) => v.venue).sort(), x, p.band, p.sd);
  }

  private alert(b: VenueBar, ref: number, others: string[], x: number, band: number, sd: number): AlertEvent {
    const direction: Direction = x > 0 ? 'up' : 'down';
    const pct = (b.price / ref - 1) * 100;
    const usual = Math.max(sd, 1e-6) * 100;
    const z = Math.abs(x) / Math.max(sd, (band / this.opt.bandSigmas) * 0.5, 1e-9);
    const score = scoreFromZ(z);
    const gap = `${Math.abs(pct).toFixed(Math.abs(pct) >= 10 ? 1 : 2)}%`;
    const explanation = `${b.symbol} on ${b.venue} is ${gap} ${direction === 'up' ? 'above' : 'below'} the composite of ${[b.venue, ...others].sort().join(', ')} (usually within ±${usual.toFixed(3)}%): possible manipulation, outage or depeg`;
    return {
      id: `${DIVERGENCE}-${alertId(b.venue, b.symbol, b.barTs, direction)}`,
      venue: b.venue,
      symbol: b.symbol,
      ts: b.ts,
      barTs: b.barTs,
      price: b.price,
      direction,
      change: { pct, windowMs: b.ts - b.barTs, fromPrice: ref, fromTs: b.barTs },
      score,
      detectors: [{ name: DIVERGENCE, score, explanation: `${gap} from the composite, ${z.toFixed(1)}σ of its usual gap` }],
      explanation,
      rules: [DIVERGENCE],
      quoteVolume: b.quoteVolume,
      late: b.origin === 'backfill',
      consensus: { kind: 'venue-specific', confirming: [b.venue], fresh: [b.venue, ...others].sort() },
    };
  }
}
