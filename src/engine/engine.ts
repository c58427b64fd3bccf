import type { AlertEvent, Bar, BarOrigin, Evaluation, Tick } from './core/types.js';
import { applyRules, SymbolMoves } from './alerts/alert-rules.js';
import { sharedFourierMap } from './detectors/learned.js';
import { engineOptions, type EngineOptions, type EngineOptionsInput } from './options.js';
import type { AlertSink } from './ports/alert-sink.js';
import type { Clock } from './ports/clock.js';
import type { RuleSource } from './ports/rule-source.js';
import type { IngestOutcome, TickSink } from './ports/tick-sink.js';
import type { Trainer } from './ports/trainer.js';
import { StreamState, type SharedModels, type StreamCounters } from './stream.js';

export interface EngineDeps {
  options?: EngineOptionsInput;
  clock: Clock;
  rules: RuleSource;
  sink: AlertSink;
  trainer: Trainer;
  /** Called for every error the engine contains (a sink that threw, a listener that threw). */
  onError?: (err: unknown, context: string) => void;
}

export type EvaluationListener = (ev: Evaluation, stream: StreamState) => void;

export interface EngineStats {
  streams: number;
  ticks: number;
  duplicates: number;
  late: number;
  invalid: number;
  bars: number;
  alerts: number;
  sinkErrors: number;
}

/**
 * The anomaly engine: ticks in, alerts out. The same object runs live (feeds push ticks, a timer
 * calls advance) and in replays (a file pushes ticks, flush at the end), so a replay measures
 * exactly what live mode does.
 */
export class Engine implements TickSink {
  readonly options: EngineOptions;
  private readonly byVenue = new Map<string, Map<string, StreamState>>();
  private readonly shared: SharedModels;
  private readonly listeners = new Set<EvaluationListener>();
  private readonly alertListeners = new Set<(a: AlertEvent) => void>();
  private readonly decorators: ((a: AlertEvent) => void)[] = [];
  /** Moves already reported per symbol, across venues: later venues' alerts of one move are echoes. */
  private readonly moves = new SymbolMoves();
  /** Coarse local time, refreshed by advance(): ticks are stamped with it at no per-tick cost. */
  private localNow: number;
  private alerts = 0;
  private sinkErrors = 0;
  private invalid = 0;

  constructor(private readonly deps: EngineDeps) {
    this.options = engineOptions(deps.options);
    this.shared = { fourier: sharedFourierMap(), trainer: deps.trainer };
    this.localNow = deps.clock.now();
  }

  /** The state of one stream, created on first use. */
  stream(venue: string, symbol: string): StreamState {
    let m = this.byVenue.get(venue);
    if (!m) {
      m = new Map();
      this.byVenue.set(venue, m);
    }
    let s = m.get(symbol);
    if (!s) {
      s = new StreamState(venue, symbol, this.options, this.shared, this.onBarClosed);
      m.set(symbol, s);
    }
    return s;
  }

  /** The stream if it exists. */
  find(venue: string, symbol: string): StreamState | undefined {
    return this.byVenue.get(venue)?.get(symbol);
  }

  *streams(): IterableIterator<StreamState> {
    for (const m of this.byVenue.values()) yield* m.values();
  }

  /** Stops tracking a stream and frees its memory. */
  drop(venue: string, symbol: string): boolean {
    return this.byVenue.get(venue)?.delete(symbol) ?? false;
  }

  ingest(t: Tick, origin: BarOrigin = 'live'): IngestOutcome {
    const ok =
      Number.isFinite(t.ts) &&
      Number.isFinite(t.price) &&
      Number.isFinite(t.qty) &&
      t.qty >= 0 &&
      (this.options.returns === 'diff' || t.price > 0) &&
      typeof t.venue === 'string' &&
      typeof t.symbol === 'string';
    if (!ok) {
      this.invalid++;
      return 'invalid';
    }
    return this.stream(t.venue, t.symbol).add(t.ts, t.price, t.qty, t.side, t.id, origin, this.localNow);
  }

  ingestShortBars(venue: string, symbol: string, bars: readonly Bar[], origin: BarOrigin): number {
    const s = this.stream(venue, symbol);
    let n = 0;
    for (const b of bars) if (validBar(b) && s.addShortBar(b, origin)) n++;
    return n;
  }

  ingestLongBars(venue: string, symbol: string, bars: readonly Bar[]): number {
    const s = this.stream(venue, symbol);
    let n = 0;
    for (const b of bars) if (validBar(b) && s.addLongBar(b)) n++;
    return n;
  }

  /**
   * Live mode: closes every bar whose time is up. A stream's "now" is its newest tick's venue time
   * plus the local time elapsed since that tick arrived, so venue clock skew never closes a bar
   * early.
   */
  advance(localNow = this.deps.clock.now()): void {
    this.localNow = localNow;
    for (const s of this.streams()) {
      if (s.watermark === -Infinity) continue;
      s.closeDue(s.watermark + (localNow - s.arrivedAt));
    }
  }

  /** Closes every open bar: the end of a replay, or shutdown. */
  flush(): void {
    for (const s of this.streams()) s.flush();
  }

  onEvaluation(fn: EvaluationListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onAlert(fn: (a: AlertEvent) => void): () => void {
    this.alertListeners.add(fn);
    return () => this.alertListeners.delete(fn);
  }

  stats(): EngineStats {
    const t: StreamCounters = { ticks: 0, duplicates: 0, late: 0, invalid: 0, bars: 0 };
    let streams = 0;
    for (const s of this.streams()) {
      streams++;
      t.ticks += s.counters.ticks;
      t.duplicates += s.counters.duplicates;
      t.late += s.counters.late;
      t.bars += s.counters.bars;
    }
    return { streams, ...t, invalid: this.invalid, alerts: this.alerts, sinkErrors: this.sinkErrors };
  }

  private readonly onBarClosed = (s: StreamState, ev: Evaluation): void => {
    for (const fn of this.listeners) {
      try {
        fn(ev, s);
      } catch (err) {
        this.report(err, 'evaluation listener');
      }
    }
    if (ev.warmingUp || ev.afterGap) return;
    const src = this.deps.rules;
    if (s.rulesVersion !== src.version) {
      s.rules = src.rulesFor(s.venue, s.symbol);
      s.rulesVersion = src.version;
      s.alerts.retain(new Set(s.rules.map((r) => r.id)));
    }
    if (s.rules.length === 0) return;
    const found = applyRules(ev, s.rules, s.alerts, (w) => s.moveOver(w), {
      now: Math.max(this.deps.clock.now(), ev.ts),
      lateAlertMaxAgeMs: this.options.lateAlertMaxAgeMs,
      fireScore: this.options.ensemble.fireScore,
    });
    if (found.length === 0) return;
    for (const a of found) this.decorate(a);
    this.moves.mark(found, s.rules);
    for (const a of found) this.deliver(a);
  };

  /**
   * Adds a decorator that every alert passes through before it is published (cross-venue consensus
   * is attached this way). Decorators mutate the alert in place; one that throws is skipped.
   */
  addAlertDecorator(fn: (a: AlertEvent) => void): () => void {
    this.decorators.push(fn);
    return () => {
      const i = this.decorators.indexOf(fn);
      if (i >= 0) this.decorators.splice(i, 1);
    };
  }

  /**
   * Records a published divergence alert as its venue's breakaway: for `windowMs`, that venue's
   * venue-specific alerts that are part of it are marked as echoes (SymbolMoves).
   */
  noteBreakaway(a: AlertEvent, windowMs: number): void {
    this.moves.noteBreakaway(a, windowMs);
  }

  /** Publishes an alert found outside the per-stream rules (for example a cross-venue divergence). */
  publish(a: AlertEvent): void {
    this.decorate(a);
    this.deliver(a);
  }

  private decorate(a: AlertEvent): void {
    for (const fn of this.decorators) {
      try {
        fn(a);
      } catch (err) {
        this.report(err, 'alert decorator');
      }
    }
  }

  private deliver(a: AlertEvent): void {
    this.alerts++;
    for (const fn of this.alertListeners) {
      try {
        fn(a);
      } catch (err) {
        this.report(err, 'alert listener');
      }
    }
    try {
      const r = this.deps.sink.publish(a);
      if (r && typeof (r as Promise<void>).catch === 'function') {
        (r as Promise<void>).catch((err: unknown) => {
          this.sinkErrors++;
          this.report(err, `alert sink (${a.id})`);
        });
      }
    } catch (err) {
      this.sinkErrors++;
      this.report(err, `alert sink (${a.id})`);
    }
  }

  private report(err: unknown, context: string): void {
    if (this.deps.onError) this.deps.onError(err, context);
  }

  /** Bytes held by all streams. */
  byteSize(): number {
    let b = 0;
    for (const s of this.streams()) b += s.byteSize();
    return b;
  }
}

function validBar(b: Bar): boolean {
  return (
    Number.isFinite(b.ts) &&
    Number.isFinite(b.open) &&
    Number.isFinite(b.high) &&
    Number.isFinite(b.low) &&
    Number.isFinite(b.close) &&
    b.high >= b.low &&
    Number.isFinite(b.volume) &&
    b.volume >= 0
  );
}
