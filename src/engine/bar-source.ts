import type { AlertEvent } from './core/types.js';
import type { Engine } from './engine.js';
import type { BarSource, VenueSeries } from './ports/chart.js';

/**
 * Chart data from the engine's live windows: the short (1 s) bars when the range fits in the short
 * ring, else the long (1 min) bars. Every venue carrying the symbol, the alert's venue first.
 */
export class EngineBarSource implements BarSource {
  constructor(private readonly engine: Engine) {}

  private venuesOf(symbol: string, venue?: string): string[] {
    const out: string[] = [];
    for (const s of this.engine.streams()) if (s.symbol === symbol && (venue === undefined || s.venue === venue)) out.push(s.venue);
    return out.sort();
  }

  private series(venue: string, symbol: string, from: number, to: number): VenueSeries | null {
    const s = this.engine.find(venue, symbol);
    if (!s) return null;
    const o = this.engine.options;
    const shortSpan = o.shortBars * o.shortBarMs;
    const newest = s.short.lastTs;
    const useShort = newest - from <= shortSpan && to - from <= shortSpan;
    const bars = s.bars(useShort ? 'short' : 'long', from, to);
    return { venue, bars, barMs: useShort ? o.shortBarMs : o.longBarMs };
  }

  seriesAround(alert: AlertEvent, beforeMs: number, afterMs: number): VenueSeries[] {
    const from = alert.ts - beforeMs;
    const to = alert.ts + afterMs;
    const venues = this.venuesOf(alert.symbol);
    const ordered = [alert.venue, ...venues.filter((v) => v !== alert.venue)];
    return ordered.map((v) => this.series(v, alert.symbol, from, to)).filter((x): x is VenueSeries => x !== null && x.bars.length > 0);
  }

  seriesFor(symbol: string, rangeMs: number, venue?: string): VenueSeries[] {
    const venues = this.venuesOf(symbol, venue);
    let newest = -Infinity;
    for (const v of venues) newest = Math.max(newest, this.engine.find(v, symbol)!.short.lastTs + this.engine.options.shortBarMs);
    if (!Number.isFinite(newest)) return [];
    return venues.map((v) => this.series(v, symbol, newest - rangeMs, newest + 1)).filter((x): x is VenueSeries => x !== null && x.bars.length > 0);
  }
}
