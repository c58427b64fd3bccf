import type { AlertEvent, Bar } from '../engine/core/types.js';
import { parseStreamId } from '../engine/core/types.js';
import type { EngineOptions } from '../engine/options.js';
import type { BarSource, VenueSeries } from '../engine/ports/chart.js';
import type { SnapshotStore } from '../engine/ports/store.js';
import { decodeWindows } from '../engine/snapshot.js';

/** Snapshots loaded for a symbol are reused this long before they are read again. */
export const SNAPSHOT_BARS_CACHE_MS = 1_000;

/** A stream's saved windows: closed short and long bars, oldest first. */
export interface Windows {
  short: Bar[];
  long: Bar[];
  /** When the engine took them (NaN when the snapshot did not say). */
  savedAt: number;
}

/**
 * Chart data for processes without an engine (the worker and bot roles): the window snapshots
 * the engines save in the store (periodically, and for the alerting stream at every alert).
 * BarSource is synchronous, so callers `load(symbol)` first; the series then come from memory.
 * Bars are as fresh as the newest snapshot of each stream.
 */
export class SnapshotBarSource implements BarSource {
  private readonly bySymbol = new Map<string, { at: number; venues: Map<string, Windows> }>();
  /** Reads in progress, by symbol: callers asking at the same time share one read. */
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Pick<SnapshotStore, 'listSnapshots' | 'loadSnapshot'>,
    private readonly options: Pick<EngineOptions, 'shortBarMs' | 'shortBars' | 'longBarMs'>,
    private readonly cacheMs = SNAPSHOT_BARS_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the snapshots of every venue carrying the symbol (unless read within cacheMs, or `fresh` is false). */
  async load(symbol: string, fresh = false): Promise<void> {
    const cached = this.bySymbol.get(symbol);
    if (cached && !fresh && this.now() - cached.at < this.cacheMs) return;
    const pending = this.loading.get(symbol);
    if (pending && !fresh) return pending;
    const read = this.read(symbol).finally(() => {
      if (this.loading.get(symbol) === read) this.loading.delete(symbol);
    });
    this.loading.set(symbol, read);
    return read;
  }

  private async read(symbol: string): Promise<void> {
    const venues = new Map<string, Windows>();
    const streams = (await this.store.listSnapshots()).filter((id) => {
      try {
        return parseStreamId(id).symbol === symbol;
      } catch {
        return false;
      }
    });
    await Promise.all(
      streams.map(async (id) => {
        const data = await this.store.loadSnapshot(id);
        const w = data ? decodeWindows(data) : null;
        if (w && w.shortBarMs === this.options.shortBarMs) venues.set(parseStreamId(id).venue, { short: w.short, long: w.long, savedAt: w.savedAt });
      }),
    );
    this.bySymbol.set(symbol, { at: this.now(), venues });
    // Forget symbols not asked about for a while, so the cache stays small.
    for (const [s, e] of this.bySymbol) if (this.now() - e.at > 60 * this.cacheMs) this.bySymbol.delete(s);
  }

  /** The loaded windows of each venue carrying the symbol (or only `venue`), by venue name. */
  windows(symbol: string, venue?: string): { venue: string; windows: Windows }[] {
    return this.venuesOf(symbol, venue).map(([v, w]) => ({ venue: v, windows: w }));
  }

  private venuesOf(symbol: string, venue?: string): [string, Windows][] {
    const m = this.bySymbol.get(symbol)?.venues;
    if (!m) return [];
    return [...m.entries()].filter(([v]) => venue === undefined || v === venue).sort(([a], [b]) => a.localeCompare(b));
  }

  /** The short bars when the range fits in the short ring, else the long ones (as the live engine does). */
  private series(venue: string, w: Windows, from: number, to: number): VenueSeries {
    const o = this.options;
    const shortSpan = o.shortBars * o.shortBarMs;
    const newest = w.short.length ? (w.short[w.short.length - 1] as Bar).ts : -Infinity;
    const useShort = newest - from <= shortSpan && to - from <= shortSpan;
    const src = useShort ? w.short : w.long;
    return { venue, bars: src.filter((b) => b.ts >= from && b.ts < to), barMs: useShort ? o.shortBarMs : o.longBarMs };
  }

  seriesAround(alert: AlertEvent, beforeMs: number, afterMs: number): VenueSeries[] {
    const from = alert.ts - beforeMs;
    const to = alert.ts + afterMs;
    const venues = this.venuesOf(alert.symbol);
    const ordered = [...venues.filter(([v]) => v === alert.venue), ...venues.filter(([v]) => v !== alert.venue)];
    return ordered.map(([v, w]) => this.series(v, w, from, to)).filter((s) => s.bars.length > 0);
  }

  seriesFor(symbol: string, rangeMs: number, venue?: string): VenueSeries[] {
    const venues = this.venuesOf(symbol, venue);
    let newest = -Infinity;
    for (const [, w] of venues) if (w.short.length) newest = Math.max(newest, (w.short[w.short.length - 1] as Bar).ts + this.options.shortBarMs);
    if (!Number.isFinite(newest)) return [];
    return venues.map(([v, w]) => this.series(v, w, newest - rangeMs, newest + 1)).filter((s) => s.bars.length > 0);
  }
}
