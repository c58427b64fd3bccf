import { median } from '../engine/composite/index.js';
import { streamId, type AlertEvent, type Evaluation } from '../engine/index.js';
import type { StreamStatus, StreamStatusInfo } from '../engine/ports/feed.js';
import type { DashboardDeps, StreamView } from './deps.js';
import type { DashboardOptions } from './options.js';
import type { AlertT, StatusT, StreamRowT, SymbolRowT } from './schemas.js';
import { ScoreTrail } from './score-trail.js';
import { mayGoStale, shownStatus, type ShownStatus } from './stream-status.js';
import { symbolFromUrl, symbolSlug } from './symbols.js';

const MINUTE = 60_000;
/** The overview's change columns. */
const CHANGE_WINDOWS = { change5m: 5 * MINUTE, change1h: 60 * MINUTE } as const;
/**
 * The price "5 minutes ago" is the close of the newest bar at most this much older than that moment
 * (quiet pairs have no bar in many seconds); none that close means no change is shown.
 */
const SHORT_LOOKBACK_MS = MINUTE;
const LONG_LOOKBACK_MS = 10 * MINUTE;
/** Naming one venue as the one that diverges needs a majority to diverge from. */
const MIN_VENUES_FOR_DIVERGENCE = 3;

/** One stream's live update: what changes at every bar. */
export interface StreamUpdate {
  venue: string;
  symbol: string;
  price: number;
  /** End of the bar (its start is ts minus the short bar length). */
  ts: number;
  /** Quote volume of the bar, 6 significant digits. */
  quoteVolume: number;
  score: number;
  sign: number;
  warmingUp: boolean;
  change5m: number | null;
  change1h: number | null;
}

/** A stream's status as shown (see shownStatus), with its feed's own status, when and why that last changed. */
export interface StatusUpdate {
  venue: string;
  symbol: string;
  status: ShownStatus;
  feedStatus: StreamStatus;
  since: number;
  reason: string;
}

export interface ReadModelEvents {
  stream(s: StreamView, ev: Evaluation): void;
  /** A stream's shown status changed: its feed's status did, or its data grew older than the staleness bound. */
  status(update: StatusUpdate): void;
  alert(a: AlertT): void;
}

interface CachedChange {
  at: number;
  change5m: number | null;
  change1h: number | null;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * The dashboard's view of the engine: feed statuses, score trails and recent alerts, kept up to
 * date from the engine's and the feeds' listeners, and the rows the API and the pages show.
 * Memory is bounded: a trail and a status per stream, and recentAlerts alerts.
 */
export class ReadModel {
  private readonly statuses = new Map<string, StreamStatusInfo>();
  /** The status each stream was last announced with, to announce only changes. */
  private readonly shown = new Map<string, ShownStatus>();
  private staleTimer: NodeJS.Timeout | undefined;
  private readonly trails = new Map<string, ScoreTrail>();
  private readonly changes = new Map<string, CachedChange>();
  private readonly recent = new Map<string, AlertEvent>();
  private readonly offs: (() => void)[] = [];
  private listener: ReadModelEvents | undefined;

  constructor(
    private readonly deps: DashboardDeps,
    private readonly opt: DashboardOptions,
  ) {}

  /** Starts listening; `events` hears every change (the live hub). */
  start(events?: ReadModelEvents): void {
    this.listener = events;
    for (const f of this.deps.feeds) {
      for (const info of f.statuses()) this.statuses.set(streamId(info), info);
      this.offs.push(f.onStatus((c) => this.onStatus(c)));
    }
    this.offs.push(this.deps.engine.onEvaluation((ev, s) => this.onEvaluation(ev, s)));
    this.offs.push(this.deps.engine.onAlert((a) => this.onAlert(a)));
    const now = this.deps.clock.now();
    for (const [id, info] of this.statuses) this.shown.set(id, this.shownOf(info, now));
    this.staleTimer = setInterval(() => this.checkStaleness(), this.opt.staleCheckMs);
    this.staleTimer.unref();
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    clearInterval(this.staleTimer);
    this.staleTimer = undefined;
    this.listener = undefined;
  }

  private onStatus(c: StreamStatusInfo): void {
    const id = streamId(c);
    // A change does not carry the newest trade's time; the last one known still holds.
    const info: StreamStatusInfo = { venue: c.venue, symbol: c.symbol, status: c.status, since: c.since, reason: c.reason, lastTradeTs: c.lastTradeTs ?? this.statuses.get(id)?.lastTradeTs };
    this.statuses.set(id, info);
    const shown = this.shownOf(info, this.deps.clock.now());
    this.shown.set(id, shown);
    this.listener?.status(statusUpdate(info, shown));
  }

  /** Time of a stream's newest data. */
  private lastDataTs(venue: string, symbol: string, info: StreamStatusInfo | undefined): number | null {
    return lastDataOf(this.deps.engine.find(venue, symbol), info);
  }

  private shownOf(info: StreamStatusInfo, now: number): ShownStatus {
    return shownStatus(info.status, this.lastDataTs(info.venue, info.symbol, info), now, this.opt.staleAfterMs);
  }

  /**
   * Streams whose feed is down turn stale by time alone, with no event from the feed: every
   * staleCheckMs they are looked at again, and a change is announced like a feed's.
   */
  checkStaleness(): void {
    const now = this.deps.clock.now();
    for (const [id, info] of this.statuses) {
      const before = this.shown.get(id);
      if (!mayGoStale(info.status) && before === info.status) continue;
      const shown = this.shownOf(info, now);
      if (shown === before) continue;
      this.shown.set(id, shown);
      this.listener?.status(statusUpdate(info, shown));
    }
  }

  private onEvaluation(ev: Evaluation, s: StreamView): void {
    const id = streamId(s);
    let trail = this.trails.get(id);
    if (!trail) {
      trail = new ScoreTrail(this.opt.scoreTrailPoints, this.opt.scoreTrailBucketMs);
      this.trails.set(id, trail);
    }
    if (!ev.warmingUp) trail.add(ev.ts, ev.score);
    this.listener?.stream(s, ev);
  }

  private onAlert(a: AlertEvent): void {
    // Alerts are copied: the engine's decorators may still add to the object.
    const copy = structuredClone(a);
    this.recent.delete(copy.id);
    this.recent.set(copy.id, copy);
    if (this.recent.size > this.opt.recentAlerts) this.recent.delete(this.recent.keys().next().value as string);
    this.listener?.alert(this.alert(copy));
  }

  knownSymbols(): Set<string> {
    const out = new Set<string>();
    for (const s of this.deps.engine.streams()) out.add(s.symbol);
    return out;
  }

  /** The symbol a URL names (slug or decoded), matched against the streams. */
  symbol(text: string): string {
    return symbolFromUrl(text, this.knownSymbols());
  }

  statusOf(venue: string, symbol: string): StreamStatusInfo | undefined {
    return this.statuses.get(streamId({ venue, symbol }));
  }

  private changeOf(s: StreamView, now: number, cached: boolean): CachedChange {
    const id = streamId(s);
    const c = this.changes.get(id);
    if (cached && c && now - c.at < this.opt.changeRefreshMs) return c;
    const fresh: CachedChange = { at: now, change5m: null, change1h: null };
    const ev = s.evaluation;
    if (ev.barTs > 0 && ev.price > 0) {
      const o = this.deps.engine.options;
      const newest = ev.barTs;
      const p5 = closeAt(s, 'short', newest - CHANGE_WINDOWS.change5m, SHORT_LOOKBACK_MS, o.shortBarMs);
      const p60 = closeAt(s, 'long', newest - CHANGE_WINDOWS.change1h, LONG_LOOKBACK_MS, o.longBarMs);
      fresh.change5m = p5 ? round((ev.price / p5 - 1) * 100, 4) : null;
      fresh.change1h = p60 ? round((ev.price / p60 - 1) * 100, 4) : null;
    }
    this.changes.set(id, fresh);
    return fresh;
  }

  /** What a live update says about a stream (changes recomputed at most every changeRefreshMs). */
  update(s: StreamView, now: number): StreamUpdate {
    const ev = s.evaluation;
    const ch = this.changeOf(s, now, true);
    return {
      venue: s.venue,
      symbol: s.symbol,
      price: ev.price,
      ts: ev.ts,
      quoteVolume: Number(ev.quoteVolume.toPrecision(6)),
      score: round(ev.score, 4),
      sign: ev.sign,
      warmingUp: ev.warmingUp,
      change5m: ch.change5m,
      change1h: ch.change1h,
    };
  }

  streamRows(filter: { venue?: string | undefined; symbol?: string | undefined } = {}): StreamRowT[] {
    const now = this.deps.clock.now();
    const o = this.deps.engine.options;
    const rows: StreamRowT[] = [];
    const seen = new Set<string>();
    for (const s of this.deps.engine.streams()) {
      if ((filter.venue && s.venue !== filter.venue) || (filter.symbol && s.symbol !== filter.symbol)) continue;
      const id = streamId(s);
      seen.add(id);
      const ev = s.evaluation;
      const has = ev.barTs > 0;
      const ch = this.changeOf(s, now, false);
      const st = this.statuses.get(id);
      const lastDataAt = lastDataOf(s, st);
      const shown = shownStatus(st?.status, lastDataAt, now, this.opt.staleAfterMs);
      const spark = has ? s.bars('long', ev.barTs - this.opt.sparkPoints * o.longBarMs).map((b) => b.close) : [];
      rows.push({
        venue: s.venue,
        symbol: s.symbol,
        slug: symbolSlug(s.symbol),
        status: shown,
        feedStatus: st?.status ?? 'unknown',
        lastDataAt,
        statusSince: st?.since ?? null,
        statusReason: st?.reason ?? null,
        price: has ? ev.price : null,
        ts: has ? ev.ts : null,
        change5m: ch.change5m,
        change1h: ch.change1h,
        score: round(ev.score, 4),
        sign: ev.sign,
        warmingUp: ev.warmingUp,
        ticks: s.counters.ticks,
        spark: spark.slice(-this.opt.sparkPoints),
        scoreTrail: this.trails.get(id)?.toArray() ?? [],
      });
    }
    // Streams a feed announced before the engine saw their first trade.
    for (const [id, st] of this.statuses) {
      if (seen.has(id) || (filter.venue && st.venue !== filter.venue) || (filter.symbol && st.symbol !== filter.symbol)) continue;
      rows.push({
        venue: st.venue,
        symbol: st.symbol,
        slug: symbolSlug(st.symbol),
        status: shownStatus(st.status, st.lastTradeTs ?? null, now, this.opt.staleAfterMs),
        feedStatus: st.status,
        lastDataAt: st.lastTradeTs ?? null,
        statusSince: st.since,
        statusReason: st.reason,
        price: null,
        ts: null,
        change5m: null,
        change1h: null,
        score: 0,
        sign: 0,
        warmingUp: true,
        ticks: 0,
        spark: [],
        scoreTrail: [],
      });
    }
    return rows.sort((a, b) => (a.symbol === b.symbol ? (a.venue < b.venue ? -1 : 1) : a.symbol < b.symbol ? -1 : 1));
  }

  /** The composite and the diverging venue of each symbol (every symbol, or the ones given). */
  symbolRows(only?: ReadonlySet<string>): SymbolRowT[] {
    const bySymbol = new Map<string, StreamView[]>();
    for (const s of this.deps.engine.streams()) {
      if (only && !only.has(s.symbol)) continue;
      let l = bySymbol.get(s.symbol);
      if (!l) bySymbol.set(s.symbol, (l = []));
      l.push(s);
    }
    const out: SymbolRowT[] = [];
    for (const [symbol, streams] of bySymbol) out.push(this.symbolRow(symbol, streams));
    return out.sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  }

  private symbolRow(symbol: string, streams: StreamView[]): SymbolRowT {
    let newest = -Infinity;
    for (const s of streams) if (s.evaluation.barTs > 0) newest = Math.max(newest, s.evaluation.ts);
    const fresh = streams.filter((s) => {
      const st = this.statuses.get(streamId(s))?.status;
      return s.evaluation.barTs > 0 && s.evaluation.price > 0 && newest - s.evaluation.ts <= this.opt.freshMs && (st === undefined || st === 'live');
    });
    const given = this.deps.composite?.(symbol);
    const composite = given ? given.price : fresh.length ? median(fresh.map((s) => s.evaluation.price)) : null;
    const venues = given ? given.venues : fresh.map((s) => s.venue).sort();
    let diverging: SymbolRowT['diverging'] = null;
    if (composite && fresh.length >= MIN_VENUES_FOR_DIVERGENCE) {
      let worst = 0;
      for (const s of fresh) {
        const pct = (s.evaluation.price / composite - 1) * 100;
        if (Math.abs(pct) >= this.opt.divergencePct && Math.abs(pct) > Math.abs(worst)) {
          worst = pct;
          diverging = { venue: s.venue, pct: round(pct, 4) };
        }
      }
    }
    return { symbol, slug: symbolSlug(symbol), composite, venues, diverging };
  }

  /** An alert as the API shows it (rule ids and anything internal left out). */
  alert(a: AlertEvent): AlertT {
    const slug = symbolSlug(a.symbol);
    return {
      id: a.id,
      venue: a.venue,
      symbol: a.symbol,
      slug,
      ts: a.ts,
      barTs: a.barTs,
      price: a.price,
      direction: a.direction,
      change: { pct: a.change.pct, windowMs: a.change.windowMs, fromPrice: a.change.fromPrice, fromTs: a.change.fromTs },
      score: a.score,
      detectors: a.detectors.map((d) => ({ name: d.name, score: d.score, explanation: d.explanation })),
      explanation: a.explanation,
      quoteVolume: a.quoteVolume,
      late: a.late,
      consensus: a.consensus ? { kind: a.consensus.kind, confirming: [...a.consensus.confirming], fresh: [...a.consensus.fresh] } : null,
      echoOf: a.echo ? { id: a.echo.of, venue: a.echo.venue, ts: a.echo.ts, breakaway: a.echo.breakaway === true } : null,
      links: { chart: `/api/alerts/${encodeURIComponent(a.id)}/chart.png`, pair: `/pair?symbol=${encodeURIComponent(slug)}&at=${a.ts}` },
    };
  }

  async findAlert(id: string): Promise<AlertEvent | null> {
    return this.recent.get(id) ?? (await this.deps.alerts.getAlert(id));
  }

  /** Alerts newest first: the store's history of each symbol, with the ones seen live but not yet recorded. */
  async listAlerts(q: { symbol?: string | undefined; venue?: string | undefined; since?: number | undefined; limit: number; direction?: string | undefined; minScore?: number | undefined }): Promise<AlertT[]> {
    const symbols = q.symbol ? [q.symbol] : [...new Set([...this.knownSymbols(), ...[...this.recent.values()].map((a) => a.symbol)])];
    const filtered = q.direction !== undefined || q.minScore !== undefined || q.since !== undefined;
    const perSymbol = filtered ? this.opt.alertsMaxLimit : q.limit;
    const lists = await Promise.all(symbols.map((s) => this.deps.alerts.recentAlerts(s, perSymbol, q.venue)));
    const byId = new Map<string, AlertEvent>();
    for (const list of lists) for (const a of list) byId.set(a.id, a);
    for (const a of this.recent.values()) if ((!q.symbol || a.symbol === q.symbol) && (!q.venue || a.venue === q.venue)) byId.set(a.id, a);
    const out = [...byId.values()].filter(
      (a) => (q.since === undefined || a.ts >= q.since) && (q.direction === undefined || a.direction === q.direction) && (q.minScore === undefined || a.score >= q.minScore),
    );
    out.sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : 1));
    return out.slice(0, q.limit).map((a) => this.alert(a));
  }

  /** Feed and engine counts for the status page. */
  feedStatus(): { feeds: StatusT['feeds']; engine: StatusT['engine'] } {
    const rows = this.streamRows();
    const byStatus: Record<string, number> = {};
    const venues = new Map<string, { venue: string; streams: number; byStatus: Record<string, number> }>();
    for (const r of rows) {
      byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      let v = venues.get(r.venue);
      if (!v) venues.set(r.venue, (v = { venue: r.venue, streams: 0, byStatus: {} }));
      v.streams++;
      v.byStatus[r.status] = (v.byStatus[r.status] ?? 0) + 1;
    }
    let streams = 0;
    let ticks = 0;
    let bars = 0;
    for (const s of this.deps.engine.streams()) {
      streams++;
      ticks += s.counters.ticks;
      bars += s.counters.bars;
    }
    return {
      feeds: {
        streams: rows.length,
        byStatus,
        venues: [...venues.values()].sort((a, b) => (a.venue < b.venue ? -1 : 1)),
        notLive: rows.filter((r) => r.status !== 'live').map((r) => ({ venue: r.venue, symbol: r.symbol, status: r.status, feedStatus: r.feedStatus, since: r.statusSince, reason: r.statusReason })),
      },
      engine: { streams, ticks, bars },
    };
  }
}

/**
 * When a stream last had data, on the local clock: the arrival of its newest trade; without that
 * (a read model that does not say), the end of its newest bar, else its feed's newest trade.
 */
function lastDataOf(s: StreamView | undefined, info: StreamStatusInfo | undefined): number | null {
  if (s?.arrivedAt) return s.arrivedAt;
  if (s && s.evaluation.barTs > 0) return s.evaluation.ts;
  return info?.lastTradeTs ?? null;
}

function statusUpdate(info: StreamStatusInfo, shown: ShownStatus): StatusUpdate {
  return { venue: info.venue, symbol: info.symbol, status: shown, feedStatus: info.status, since: info.since, reason: info.reason };
}

/** Close of the newest bar starting in [t - lookback, t], or null. */
function closeAt(s: StreamView, res: 'short' | 'long', t: number, lookbackMs: number, barMs: number): number | null {
  const bars = s.bars(res, t - lookbackMs, t + barMs);
  for (let i = bars.length - 1; i >= 0; i--) if (bars[i].ts <= t && bars[i].close > 0) return bars[i].close;
  return null;
}
