/**
 * The CommandServices that the engine itself can answer: prices, closeness to firing, range charts,
 * previews, symbol search and status. The composition root builds these over the live Engine, its
 * BarSource and the chart renderer; tests build them over a test engine.
 */
import { CHART_RANGE_CHOICES } from '../../../commands/chart.js';
import {
  parseDuration,
  type AlertHistory,
  type ChartSource,
  type FeedHealth,
  type PreviewResult,
  type PreviewSource,
  type PriceLookup,
  type PriceQuote,
  type Proximity,
  type ProximitySource,
  type SymbolSearch,
  type SystemStatus,
  type SystemStatusSource,
  type VenuePrice,
} from '../../../commands/framework.js';
import { SymbolMoves } from '../../engine/alerts/alert-rules.js';
import { makeRule } from '../../engine/core/rules.js';
import type { AlertEvent } from '../../engine/core/types.js';
import { Engine } from '../../engine/engine.js';
import { STATISTICAL_DETECTORS, type EngineOptionsInput } from '../../engine/options.js';
import type { BarSource, ChartPort } from '../../engine/ports/chart.js';
import type { CompositeBook } from '../../engine/composite/index.js';
import type { StatusSource } from '../../engine/ports/feed.js';
import { StaticRuleSource } from '../../engine/ports/rule-source.js';
import type { Thresholds } from '../../engine/ports/store.js';
import type { SymbolResolver } from '../../engine/services/subscriptions.js';
import { InlineTrainer } from '../../engine/trainers.js';
import type { WindowMove } from '../../engine/windows/move.js';

/**
 * Prices from the cross-venue composite book (attachCrossVenue(...).book): each venue's newest
 * bar close, and the composite as the book computes it (median of the fresh, live venues).
 */
export class CompositePrices implements PriceLookup {
  constructor(
    private readonly book: CompositeBook,
    private readonly feeds?: StatusSource | undefined,
  ) {}

  async price(symbol: string, venue?: string): Promise<PriceQuote | null> {
    const venues: VenuePrice[] = this.book
      .all(symbol)
      .filter((p) => venue === undefined || p.venue === venue)
      .map((p) => ({ venue: p.venue, price: p.price, ts: p.ts, status: this.feeds?.status(p.venue, symbol) }))
      .sort((a, b) => a.venue.localeCompare(b.venue));
    if (venues.length === 0) return null;
    return { symbol, venues, composite: this.book.composite(symbol)?.price };
  }
}

/**
 * A rule's closeness to firing from a window's move (`StreamState.moveOver`, or the same move
 * measured on saved windows): the move in the rule's direction against its move threshold.
 */
export function proximityOf(m: Pick<WindowMove, 'up' | 'down'>, t: Thresholds, score: number | undefined): Proximity {
  const up = m.up * 100;
  const down = m.down * 100;
  const movePct = t.direction === 'up' ? up : t.direction === 'down' ? down : up >= -down ? up : down;
  // The move is the part a user sets and can watch grow; the score is per bar and says little
  // between anomalies, so it is reported but does not scale the ratio.
  return { movePct, score, ratio: t.movePct > 0 ? Math.min(1, Math.abs(movePct) / t.movePct) : 1 };
}

/** Whether `a` is nearer to firing than `b`: the larger ratio, then (both met, or equal) the larger move. */
export function nearer(a: Proximity, b: Proximity): boolean {
  return a.ratio !== b.ratio ? a.ratio > b.ratio : Math.abs(a.movePct) > Math.abs(b.movePct);
}

/** How close a rule is to firing on the engine's live windows: the nearest venue counts. */
export class EngineProximity implements ProximitySource {
  constructor(private readonly engine: Engine) {}

  proximity(symbol: string, venue: string | undefined, t: Thresholds): Proximity | null {
    let best: Proximity | null = null;
    for (const s of this.engine.streams()) {
      if (s.symbol !== symbol || (venue !== undefined && s.venue !== venue) || s.short.length === 0) continue;
      const p = proximityOf(s.moveOver(t.moveWindowMs), t, s.evaluation.warmingUp ? undefined : s.evaluation.score);
      if (!best || nearer(p, best)) best = p;
    }
    return best;
  }
}

/** Alerts marked on a range chart, at most. */
const CHART_ALERTS = 20;

/** Range charts drawn from a BarSource, with the recent alerts of the range marked. */
export class RenderedCharts implements ChartSource {
  constructor(
    private readonly bars: BarSource,
    private readonly renderer: ChartPort,
    private readonly alerts?: Pick<AlertHistory, 'history'> | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async rangeChart(symbol: string, range: string, venue?: string): Promise<Uint8Array | null> {
    const ms = parseDuration(range);
    if (ms === null) return null;
    const series = this.bars.seriesFor(symbol, ms, venue);
    if (!series.some((s) => s.bars.length > 0)) return null;
    const from = this.now() - ms;
    const alerts = this.alerts ? (await this.alerts.history(symbol, CHART_ALERTS, venue)).filter((a) => a.ts >= from) : [];
    return this.renderer.renderRange({ symbol, range, series, alerts });
  }
}

export interface ReplayPreviewOptions {
  /**
   * Engine options of the replay. Default: the statistical detectors only. The learned ones are
   * retrained in the background live; retraining them inline over a day of bars would cost
   * seconds of CPU per preview.
   */
  engine?: EngineOptionsInput | undefined;
  /** Draws the replayed bars with the would-be alerts marked; absent: no chart. */
  renderer?: ChartPort | undefined;
}

/**
 * "Would have fired N times": the stored bars of every venue carrying the symbol, replayed through
 * a fresh Engine (one per venue, so venues never share state) with only the candidate rule. Bars
 * keep their own length: for a day, the 1-minute bars are the replay's short bars. Counted as the
 * watch would have been told: another venue's alert of a move already reported is an echo and is
 * left out (as delivery leaves it out for a watch on every venue).
 */
export class ReplayPreview implements PreviewSource {
  constructor(
    private readonly bars: BarSource,
    private readonly opts: ReplayPreviewOptions = {},
  ) {}

  async preview(symbol: string, thresholds: Thresholds, spanMs: number, venue?: string): Promise<PreviewResult | null> {
    const series = this.bars.seriesFor(symbol, spanMs, venue).filter((s) => s.bars.length > 0);
    if (series.length === 0) return null;
    const rule = makeRule(thresholds);
    const alerts: AlertEvent[] = [];
    let first = Infinity;
    let last = -Infinity;
    for (const s of series) {
      const now = { t: 0 };
      const engine = new Engine({
        options: { detectors: STATISTICAL_DETECTORS, ...this.opts.engine, shortBarMs: s.barMs, longBarMs: s.barMs * 60 },
        clock: { now: () => now.t },
        rules: new StaticRuleSource([rule]),
        sink: { publish: (a) => void alerts.push(a) },
        trainer: new InlineTrainer(),
      });
      for (const b of s.bars) {
        now.t = b.ts + s.barMs;
        engine.ingestShortBars(s.venue, symbol, [b], 'live');
      }
      first = Math.min(first, (s.bars[0] as { ts: number }).ts);
      last = Math.max(last, (s.bars[s.bars.length - 1] as { ts: number }).ts + s.barMs);
    }
    alerts.sort((a, b) => a.ts - b.ts);
    const moves = new SymbolMoves();
    for (const a of alerts) moves.mark([a], [rule]);
    const told = alerts.filter((a) => !a.echo);
    const result: PreviewResult = { symbol, spanMs: last - first, alerts: told, series };
    if (this.opts.renderer) {
      const range = CHART_RANGE_CHOICES.find((r) => (parseDuration(r) as number) >= spanMs) ?? CHART_RANGE_CHOICES[CHART_RANGE_CHOICES.length - 1];
      result.chart = await this.opts.renderer.renderRange({ symbol, range: range as string, series, alerts: told });
    }
    return result;
  }
}

/** Symbols the product knows (the feeds' markets, or the streams running) for autocomplete. */
export class KnownSymbols implements SymbolSearch {
  constructor(
    readonly resolve: SymbolResolver,
    private readonly known: () => Iterable<string>,
  ) {}

  search(prefix: string, limit: number): string[] {
    const want = compact(prefix);
    const starts: string[] = [];
    const contains: string[] = [];
    for (const s of new Set(this.known())) {
      const c = compact(s);
      if (c.startsWith(want)) starts.push(s);
      else if (want && c.includes(want)) contains.push(s);
    }
    return [...starts.sort(), ...contains.sort()].slice(0, limit);
  }
}

function compact(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The symbols the engine has streams for. */
export function engineSymbols(engine: Engine): () => Iterable<string> {
  return () => new Set([...engine.streams()].map((s) => s.symbol));
}

export interface StatusParts {
  feeds: () => FeedHealth[];
  queueDepth?: (() => Promise<number>) | undefined;
  lastAlert?: (() => AlertEvent | undefined) | undefined;
  store?: string | undefined;
  startedAt?: number | undefined;
}

/** The `status` answer assembled from whatever the process runs. */
export class StatusReport implements SystemStatusSource {
  constructor(private readonly parts: StatusParts) {}

  async status(): Promise<SystemStatus> {
    const p = this.parts;
    return {
      feeds: p.feeds(),
      queueDepth: p.queueDepth ? await p.queueDepth() : undefined,
      lastAlert: p.lastAlert?.(),
      store: p.store,
      startedAt: p.startedAt,
    };
  }
}

/** Remembers the newest alert the engine published (for `status`). */
export function lastAlertOf(engine: Engine): () => AlertEvent | undefined {
  let last: AlertEvent | undefined;
  engine.onAlert((a) => {
    if (!last || a.ts >= last.ts) last = a;
  });
  return () => last;
}
