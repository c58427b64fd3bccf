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
}

export const DIVERGENCE_DEFAULTS: Readonly<DivergenceOptions> = Object.freeze({
  minVenues: 3,
  halfLifeBars: 300,
  bandSigmas: 8,
  minBandPct: 0.5,
  warmupBars: 60,
  cooldownMs: 15 * 60_000,
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
  stats: EwStats;
  armed: boolean;
  lastAlertTs: number;
}

/**
 * One venue breaking away from the others: each bar, a venue's log price is compared with the
 * composite (the median of the fresh venues). Each (venue, symbol) learns its own usual deviation (a basis,
 * a wider spread); a deviation beyond bandSigmas of that, and beyond minBandPct, is an alert for
 * that venue only (possible manipulation, outage or depeg).
 */
export class DivergenceDetector {
  private readonly states = new Map<string, State>();
  private readonly opt: DivergenceOptions;
  private readonly alpha: number;

  constructor(
    private readonly book: CompositeBook,
    opt: Partial<DivergenceOptions> = {},
  ) {
    this.opt = { ...DIVERGENCE_DEFAULTS, ...opt };
    this.alpha = alphaForHalfLife(this.opt.halfLifeBars);
  }

  /** Judges one bar; returns the alert it raises, if any. Call after book.update for the bar. */
  onBar(b: VenueBar): AlertEvent | null {
    if (b.afterGap || !(b.price > 0)) return null;
    const others = this.book.fresh(b.symbol, b.ts, b.venue);
    if (others.length + 1 < this.opt.minVenues) return null;
    // The composite includes the venue judged: with three venues, the median of the two others
    // would be their mean, pulled by an outlier among them; the median of all three is not.
    const ref = median([b.price, ...others.map((p) => p.price)]);
    const d = Math.log(b.price / ref);
    const key = `${b.venue}:${b.symbol}`;
    let s = this.states.get(key);
    if (!s) {
      s = { stats: new EwStats(this.alpha), armed: true, lastAlertTs: -Infinity };
      this.states.set(key, s);
    }
    const st = s.stats;
    const band = Math.max(this.opt.minBandPct / 100, this.opt.bandSigmas * st.std);
    const x = d - st.mean;
    const warm = st.n >= this.opt.warmupBars;
    // Learn from the bar, clipped to the band: a venue that stays away is not learned as normal at once.
    st.update(st.mean + Math.max(-band, Math.min(band, x)));
    if (!warm || b.origin === 'restore') return null;
    if (Math.abs(x) <= band) {
      s.armed = true;
      return null;
    }
    if (!s.armed && b.ts - s.lastAlertTs < this.opt.cooldownMs) return null;
    s.armed = false;
    s.lastAlertTs = b.ts;
    return this.alert(b, ref, others.map((p) => p.venue).sort(), x, band, st.std);
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
