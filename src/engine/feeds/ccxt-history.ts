import type { Exchange, OHLCV, Trade } from 'ccxt';
import type { Bar, Tick } from '../core/types.js';
import type { HistorySource } from '../ports/feed.js';
import type { VenueCapabilities } from './capabilities.js';

const MINUTE = 60_000;

/** How a venue's REST history pages (from its capabilities; defaults for long-tail exchanges). */
export type HistoryPaging = Pick<VenueCapabilities, 'tradesPaging' | 'maxTradesPerRequest' | 'maxCandlesPerRequest' | 'ccxtUntil'>;

export const LONG_TAIL_PAGING: Readonly<HistoryPaging> = Object.freeze({ tradesPaging: 'forward', maxTradesPerRequest: 500, maxCandlesPerRequest: 500, ccxtUntil: false });

/** Requests one history call may make, so that a long gap cannot keep a venue's REST API busy. */
export const MAX_HISTORY_PAGES = 30;

/** REST history over a ccxt client: fetchTrades and fetchOHLCV('1m'), paged per the venue's rules. */
export class CcxtHistory implements HistorySource {
  constructor(
    private readonly ex: Exchange,
    private readonly venue: string,
    private readonly paging: HistoryPaging,
    private readonly maxPages = MAX_HISTORY_PAGES,
  ) {}

  async trades(symbol: string, since: number, until: number): Promise<Tick[]> {
    const limit = this.paging.maxTradesPerRequest;
    const byKey = new Map<string, Tick>();
    const add = (ts: Trade[]) => {
      let added = 0;
      for (const t of ts) {
        const tick = tickOf(this.venue, symbol, t);
        if (!tick || tick.ts < since || tick.ts > until) continue;
        const k = tick.id !== undefined ? String(tick.id) : `${tick.ts}|${tick.price}|${tick.qty}`;
        if (!byKey.has(k)) {
          byKey.set(k, tick);
          added++;
        }
      }
      return added;
    };
    if (this.paging.tradesPaging === 'recent') {
      add(await this.ex.fetchTrades(symbol, undefined, limit));
    } else if (this.paging.tradesPaging === 'forward') {
      let from = since;
      for (let p = 0; p < this.maxPages; p++) {
        const page = await this.ex.fetchTrades(symbol, from, limit, this.until(until));
        const added = add(page);
        const newest = page.length ? (page[page.length - 1].timestamp ?? from) : from;
        // ccxt filters pages (by since, by limit), so a short page does not prove the end: only an
        // empty one, or one reaching `until`, does.
        if (page.length === 0 || newest >= until) break;
        // The next page starts at the newest time again (trades sharing a millisecond may straddle
        // pages; repeats are dropped): a page with nothing new is the end.
        if (added === 0) break;
        from = newest;
      }
    } else {
      let to = until;
      for (let p = 0; p < this.maxPages; p++) {
        const page = await this.ex.fetchTrades(symbol, since, limit, this.until(to));
        const added = add(page);
        const oldest = page.length ? (page[0].timestamp ?? since) : since;
        if (page.length === 0 || oldest <= since) break;
        if (added === 0) break;
        to = oldest;
      }
    }
    return [...byKey.values()].sort((a, b) => a.ts - b.ts);
  }

  async candles(symbol: string, since: number, until: number): Promise<Bar[]> {
    const limit = this.paging.maxCandlesPerRequest;
    const out = new Map<number, Bar>();
    let from = since;
    for (let p = 0; p < this.maxPages && from < until; p++) {
      const page = await this.ex.fetchOHLCV(symbol, '1m', from, limit, this.until(until));
      let newest = -Infinity;
      for (const c of page) {
        const b = barOf(c);
        // Closed candles only: the current minute is still moving.
        if (!b || b.ts < since || b.ts + MINUTE > until) continue;
        out.set(b.ts, b);
        if (b.ts > newest) newest = b.ts;
      }
      if (page.length < limit || !(newest >= from)) break;
      from = newest + MINUTE;
    }
    return [...out.values()].sort((a, b) => a.ts - b.ts);
  }

  private until(ms: number): Record<string, number> {
    return this.paging.ccxtUntil ? { until: ms } : {};
  }

}

/** A ccxt trade as a Tick; null when a field the engine needs is missing or out of range. */
export function tickOf(venue: string, symbol: string, t: Trade): Tick | null {
  const ts = t.timestamp;
  const price = t.price;
  const qty = t.amount;
  if (typeof ts !== 'number' || typeof price !== 'number' || typeof qty !== 'number' || !(price > 0) || !(qty >= 0)) return null;
  const side = t.side === 'buy' || t.side === 'sell' ? t.side : undefined;
  return { venue, symbol, ts, price, qty, side, id: t.id ?? undefined };
}

/**
 * A 1-minute candle as a Bar. Candles carry neither quote volume nor the buy/sell split: quote
 * volume is estimated at the candle's typical price, the split as even, trades as unknown (0).
 */
export function barOf(c: OHLCV): Bar | null {
  const [ts, open, high, low, close, volume] = c;
  if (typeof ts !== 'number' || typeof open !== 'number' || typeof high !== 'number' || typeof low !== 'number' || typeof close !== 'number') return null;
  const v = typeof volume === 'number' ? volume : 0;
  return { ts, open, high, low, close, volume: v, quoteVolume: (v * (high + low + close)) / 3, buyVolume: v / 2, sellVolume: v / 2, trades: 0 };
}
