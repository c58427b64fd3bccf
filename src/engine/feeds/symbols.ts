import { UserError } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';
import type { FeedLog } from '../ports/feed.js';
import { silentLog } from '../ports/feed.js';
import { errText } from './backfill.js';

/** One tradable market, as the venue's market list (ccxt loadMarkets) describes it. */
export interface MarketInfo {
  /** Unified `BASE/QUOTE`. */
  symbol: string;
  base: string;
  quote: string;
  /** The venue's own id (`BTCUSDT`, `BTC-USD`, `XXBTZUSD`). */
  id: string;
}

/** What a lookup answers: the unified symbol, or why not with the closest matches. */
export type SymbolLookup = { ok: true; symbol: string } | { ok: false; reason: 'unknown_symbol' | 'unknown_venue'; suggestions: string[] };

/** When only a base is typed (`btc`), the quote chosen, in this order of preference. */
export const PREFERRED_QUOTES: readonly string[] = ['USDT', 'USD', 'USDC', 'EUR', 'BTC', 'ETH'];

/** Old or venue-specific currency codes, and the common ones. */
const CODE_ALIASES: Readonly<Record<string, string>> = { XBT: 'BTC', XDG: 'DOGE' };

/** Suggestions offered for an unknown symbol. */
export const MAX_SUGGESTIONS = 5;

/** How long a venue's market list is trusted before it is loaded again. */
export const MARKETS_TTL_MS = 60 * 60_000;

/**
 * Resolves what people type (`btc`, `btcusdt`, `BTC-USDT`, `btc/usdt`, a venue id like
 * `XXBTZUSD`) to a unified `BASE/QUOTE` among known markets.
 */
export class SymbolIndex {
  private readonly symbols = new Set<string>();
  /** Compact forms (`BTCUSDT`) and venue ids, upper case, to symbols. */
  private readonly compact = new Map<string, string>();
  private readonly byBase = new Map<string, string[]>();

  constructor(markets: Iterable<MarketInfo>) {
    for (const m of markets) {
      // Spot symbols only (derivatives carry a settle currency: BTC/USDT:USDT).
      if (m.symbol.includes(':') || !m.symbol.includes('/')) continue;
      const sym = m.symbol.toUpperCase();
      const [base, quote] = sym.split('/');
      this.symbols.add(sym);
      if (!this.compact.has(base + quote)) this.compact.set(base + quote, sym);
      const id = m.id.toUpperCase().replace(/[^A-Z0-9]/g, '');
      if (!this.compact.has(id)) this.compact.set(id, sym);
      const list = this.byBase.get(base) ?? [];
      list.push(sym);
      this.byBase.set(base, list);
    }
    for (const list of this.byBase.values()) list.sort((a, b) => quoteRank(a) - quoteRank(b) || a.localeCompare(b));
  }

  get size(): number {
    return this.symbols.size;
  }

  has(symbol: string): boolean {
    return this.symbols.has(symbol);
  }

  lookup(input: string): SymbolLookup {
    const raw = input.trim().toUpperCase();
    const parts = raw.split(/[\s/\-_:]+/).filter((p) => p.length > 0);
    if (parts.length === 2) {
      const sym = `${alias(parts[0])}/${alias(parts[1])}`;
      if (this.symbols.has(sym)) return { ok: true, symbol: sym };
    } else if (parts.length === 1) {
      const one = parts[0];
      const hit = this.compact.get(one) ?? this.compact.get(aliasCompact(one));
      if (hit) return { ok: true, symbol: hit };
      const bases = this.byBase.get(alias(one));
      if (bases && bases.length > 0) return { ok: true, symbol: bases[0] };
    }
    return { ok: false, reason: 'unknown_symbol', suggestions: this.suggest(parts.map(alias).join('')) };
  }

  /** The unified symbol, or a UserError('unknown_symbol') that lists the closest matches. */
  resolve(input: string): string {
    const r = this.lookup(input);
    if (r.ok) return r.symbol;
    throw unknownSymbol(input, r.suggestions);
  }

  /** Known symbols closest to the input by edit distance (over compact forms and bases). */
  suggest(compactInput: string, n = MAX_SUGGESTIONS): string[] {
    if (compactInput.length === 0) return [];
    const scored: { sym: string; d: number }[] = [];
    for (const sym of this.symbols) {
      const [base, quote] = sym.split('/');
      const d = Math.min(editDistance(compactInput, base + quote), editDistance(compactInput, base) + 1);
      scored.push({ sym, d });
    }
    const limit = Math.max(2, Math.ceil(compactInput.length / 2));
    return scored
      .filter((s) => s.d <= limit)
      .sort((a, b) => a.d - b.d || quoteRank(a.sym) - quoteRank(b.sym) || a.sym.localeCompare(b.sym))
      .slice(0, n)
      .map((s) => s.sym);
  }
}

export function unknownSymbol(input: string, suggestions: string[]): UserError {
  const hint = suggestions.length ? ` Did you mean ${suggestions.join(', ')}?` : '';
  return new UserError('unknown_symbol', `Unknown symbol "${input}".${hint}`, { input, suggestions });
}

function alias(code: string): string {
  return CODE_ALIASES[code] ?? code;
}

function aliasCompact(s: string): string {
  for (const [from, to] of Object.entries(CODE_ALIASES)) if (s.startsWith(from)) return to + s.slice(from.length);
  return s;
}

function quoteRank(sym: string): number {
  const q = sym.slice(sym.indexOf('/') + 1);
  const i = PREFERRED_QUOTES.indexOf(q);
  return i < 0 ? PREFERRED_QUOTES.length : i;
}

/** Levenshtein distance (two rows; inputs are a few characters long). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** Loads one venue's markets (ccxt loadMarkets in production). */
export type MarketLoader = () => Promise<MarketInfo[]>;

interface Entry {
  index: SymbolIndex | null;
  loadedAt: number;
  loading: Promise<SymbolIndex> | null;
}

/**
 * Every configured venue's markets, loaded on first use, cached for MARKETS_TTL_MS and then
 * reloaded in the background (the old list keeps answering meanwhile; a failed reload keeps it).
 */
export class MarketCatalog {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly loaders: ReadonlyMap<string, MarketLoader>,
    private readonly clock: Clock,
    private readonly log: FeedLog = silentLog,
    private readonly ttlMs = MARKETS_TTL_MS,
  ) {
    for (const v of loaders.keys()) this.entries.set(v, { index: null, loadedAt: 0, loading: null });
  }

  get venues(): string[] {
    return [...this.loaders.keys()];
  }

  /** One venue's index (loads it if needed). */
  async index(venue: string): Promise<SymbolIndex> {
    const e = this.entries.get(venue);
    if (!e) throw new UserError('unknown_venue', `Unknown venue "${venue}". Known: ${this.venues.join(', ')}.`, { venue, suggestions: this.venues });
    if (e.index && this.clock.now() - e.loadedAt < this.ttlMs) return e.index;
    if (e.index) {
      void this.load(venue, e).catch(() => {});
      return e.index;
    }
    return this.load(venue, e);
  }

  /** Reloads every venue's markets now. */
  async refresh(): Promise<void> {
    await Promise.all([...this.entries].map(([v, e]) => this.load(v, e).catch(() => undefined)));
  }

  /** Resolves on one venue, or on all of them (the first venue that knows the symbol). */
  async lookup(input: string, venue?: string): Promise<SymbolLookup> {
    if (venue !== undefined) {
      if (!this.entries.has(venue)) return { ok: false, reason: 'unknown_venue', suggestions: closest(venue, this.venues) };
      return (await this.index(venue)).lookup(input);
    }
    const indexes = await this.available();
    const suggestions: string[] = [];
    for (const ix of indexes) {
      const r = ix.lookup(input);
      if (r.ok) return r;
      for (const s of r.suggestions) if (!suggestions.includes(s)) suggestions.push(s);
    }
    return { ok: false, reason: 'unknown_symbol', suggestions: suggestions.slice(0, MAX_SUGGESTIONS) };
  }

  /** The unified symbol, or a UserError ('unknown_symbol' or 'unknown_venue') with suggestions. */
  async resolve(input: string, venue?: string): Promise<string> {
    const r = await this.lookup(input, venue);
    if (r.ok) return r.symbol;
    if (r.reason === 'unknown_venue') throw new UserError('unknown_venue', `Unknown venue "${venue ?? ''}". Known: ${this.venues.join(', ')}.`, { venue, suggestions: r.suggestions });
    throw unknownSymbol(input, r.suggestions);
  }

  /** Indexes of the venues whose markets could be loaded (a venue that is down is skipped). */
  private async available(): Promise<SymbolIndex[]> {
    const out = await Promise.all(this.venues.map((v) => this.index(v).catch(() => null)));
    return out.filter((x): x is SymbolIndex => x !== null);
  }

  private load(venue: string, e: Entry): Promise<SymbolIndex> {
    if (e.loading) return e.loading;
    e.loading = (async () => {
      try {
        const loader = this.loaders.get(venue) as MarketLoader;
        const ix = new SymbolIndex(await loader());
        e.index = ix;
        e.loadedAt = this.clock.now();
        this.log.info({ venue, markets: ix.size }, `markets of ${venue} loaded`);
        return ix;
      } catch (err) {
        this.log.warn({ venue, err: errText(err) }, `markets of ${venue} could not be loaded`);
        throw err;
      } finally {
        e.loading = null;
      }
    })();
    return e.loading;
  }
}

function closest(input: string, options: readonly string[]): string[] {
  const x = input.toLowerCase();
  return [...options].sort((a, b) => editDistance(x, a) - editDistance(x, b)).slice(0, MAX_SUGGESTIONS);
}

/** The fields of a ccxt market that resolution reads. */
interface CcxtMarketLike {
  symbol: string;
  base: string;
  quote: string;
  id?: string | undefined;
  spot?: boolean | undefined;
  active?: boolean | undefined;
}

/** A ccxt exchange's spot markets as MarketInfo (active or of unknown state). */
export function marketsOf(markets: Record<string, CcxtMarketLike | undefined>): MarketInfo[] {
  const out: MarketInfo[] = [];
  for (const m of Object.values(markets)) {
    if (!m || m.spot === false || m.active === false) continue;
    out.push({ symbol: m.symbol, base: m.base, quote: m.quote, id: m.id ?? m.symbol });
  }
  return out;
}
