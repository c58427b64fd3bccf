import type { StatusSource } from '../ports/feed.js';

export interface CompositeOptions {
  /**
   * A venue's price counts for the composite when its newest bar ended within this of the moment
   * asked about (either side: history filled in after a gap is judged at its own time).
   */
  freshMs: number;
}

export const COMPOSITE_DEFAULTS: Readonly<CompositeOptions> = Object.freeze({ freshMs: 30_000 });

/** One venue's newest price for a symbol. */
export interface VenuePrice {
  venue: string;
  price: number;
  /** End of the bar the price closed (epoch ms, venue time). */
  ts: number;
}

export interface Composite {
  /** Median of the fresh venues' prices. */
  price: number;
  /** The venues it was taken over, sorted. */
  venues: string[];
}

/**
 * The newest price of every venue for every symbol, and the composite: the median of the venues
 * that are fresh right now. Fresh means a recent bar and, when a status source is given, a feed
 * that says `live`: a venue whose feed is stale, reconnecting or backfilling is left out, whatever
 * its last price was.
 */
export class CompositeBook {
  private readonly bySymbol = new Map<string, Map<string, VenuePrice>>();
  private readonly opt: CompositeOptions;

  constructor(
    opt: Partial<CompositeOptions> = {},
    private readonly statuses?: StatusSource,
  ) {
    this.opt = { ...COMPOSITE_DEFAULTS, ...opt };
  }

  get freshMs(): number {
    return this.opt.freshMs;
  }

  /** Records a venue's bar close. Older bars than the one held are ignored. */
  update(venue: string, symbol: string, ts: number, price: number): void {
    if (!(price > 0) || !Number.isFinite(ts)) return;
    let m = this.bySymbol.get(symbol);
    if (!m) {
      m = new Map();
      this.bySymbol.set(symbol, m);
    }
    const cur = m.get(venue);
    if (cur && cur.ts > ts) return;
    if (cur) {
      cur.price = price;
      cur.ts = ts;
    } else m.set(venue, { venue, price, ts });
  }

  /** Every venue's newest price for the symbol, fresh or not. */
  all(symbol: string): VenuePrice[] {
    return [...(this.bySymbol.get(symbol)?.values() ?? [])].map((p) => ({ ...p }));
  }

  /** The newest bar end seen for the symbol on any venue (the symbol's "now" in event time). */
  latest(symbol: string): number {
    let t = -Infinity;
    for (const p of this.bySymbol.get(symbol)?.values() ?? []) if (p.ts > t) t = p.ts;
    return t;
  }

  isFresh(p: VenuePrice, symbol: string, at: number): boolean {
    if (Math.abs(at - p.ts) > this.opt.freshMs) return false;
    const s = this.statuses?.status(p.venue, symbol);
    return s === undefined || s === 'live';
  }

  /** Fresh venues at `at` (default: the symbol's newest bar end), optionally without one venue. */
  fresh(symbol: string, at = this.latest(symbol), except?: string): VenuePrice[] {
    const out: VenuePrice[] = [];
    for (const p of this.bySymbol.get(symbol)?.values() ?? []) if (p.venue !== except && this.isFresh(p, symbol, at)) out.push(p);
    return out;
  }

  /** The composite at `at`, or undefined when no venue is fresh. */
  composite(symbol: string, at?: number, except?: string): Composite | undefined {
    const f = this.fresh(symbol, at, except);
    if (f.length === 0) return undefined;
    return { price: median(f.map((p) => p.price)), venues: f.map((p) => p.venue).sort() };
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
