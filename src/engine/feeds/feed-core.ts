import type { Clock } from '../ports/clock.js';
import { emptyCounters, type FeedCounters, type FeedLog, type HistorySource, type StatusListener, type StreamStatus, type StreamStatusInfo } from '../ports/feed.js';
import type { TickSink } from '../ports/tick-sink.js';
import { Backfiller, BACKFILL_DEFAULTS, type BackfillOptions } from './backfill.js';
import { DropCounter } from './drops.js';
import { StatusBoard } from './status-board.js';
import { TradeGate } from './trade-gate.js';

export interface FeedCoreOptions {
  venue: string;
  symbols: readonly string[];
  sink: TickSink;
  clock: Clock;
  log: FeedLog;
  history?: HistorySource | undefined;
  backfill?: Partial<BackfillOptions> | undefined;
  bufferLimit: number;
  resumeFrom?: ResumeFrom | undefined;
}

/**
 * Where a stream's data already ends in the sink (windows restored from a snapshot), as venue
 * time: the first backfill then fills the gap from there instead of warming the stream afresh.
 */
export type ResumeFrom = (venue: string, symbol: string) => number | undefined;

/**
 * What every kind of feed keeps per venue: one gate per stream, the status board, counters and
 * drop accounting, and the backfiller. A feed (native or ccxt) only decides when a stream is
 * connected, lost or quiet.
 */
export class FeedCore {
  readonly venue: string;
  readonly stats: FeedCounters = emptyCounters();
  readonly drops: DropCounter;
  readonly board: StatusBoard;
  readonly gates = new Map<string, TradeGate>();
  private readonly backfiller: Backfiller | null;
  private readonly clock: Clock;
  private readonly sink: TickSink;
  private readonly bufferLimit: number;
  private readonly resumeFrom: ResumeFrom | undefined;

  constructor(o: FeedCoreOptions) {
    this.venue = o.venue;
    this.clock = o.clock;
    this.drops = new DropCounter(o.venue, o.log);
    this.stats.dropped = this.drops.counts;
    this.board = new StatusBoard(o.venue, o.clock, o.log);
    this.backfiller = o.history ? new Backfiller(o.venue, o.history, o.sink, o.clock, this.stats, o.log, { ...BACKFILL_DEFAULTS, ...o.backfill }) : null;
    this.sink = o.sink;
    this.bufferLimit = o.bufferLimit;
    this.resumeFrom = o.resumeFrom;
    for (const s of o.symbols) this.add(s);
  }

  /** A stream's gate, created (status `reconnecting` until subscribed) if new. */
  add(symbol: string): TradeGate {
    let g = this.gates.get(symbol);
    if (!g) {
      g = new TradeGate(this.venue, symbol, this.sink, this.stats, this.bufferLimit);
      const from = this.resumeFrom?.(this.venue, symbol);
      if (from !== undefined && Number.isFinite(from)) g.lastTs = from;
      this.gates.set(symbol, g);
      this.board.set(symbol, 'reconnecting', 'starting');
    }
    return g;
  }

  /**
   * A stream's subscription is (again) in place: fill its gap or warm it from REST history while
   * its live trades wait, then mark it live. `stillUp` says, when the backfill ends, whether the
   * connection survived it.
   */
  connected(gate: TradeGate, stillUp: () => boolean): void {
    if (this.backfiller && this.backfiller.wants(gate)) {
      if (gate.buffering) return;
      gate.hold();
      this.board.set(gate.symbol, 'backfilling', Number.isFinite(gate.lastTs) ? 'gap' : 'warm start');
      void this.backfiller.run(gate).then(() => {
        gate.lastArrival = Math.max(gate.lastArrival, this.clock.now());
        gate.stale = false;
        if (stillUp()) this.board.set(gate.symbol, 'live', 'backfill done');
      });
      return;
    }
    gate.lastArrival = this.clock.now();
    gate.stale = false;
    this.board.set(gate.symbol, 'live', 'connected');
  }

  /** Marks a live stream stale when it has had no trade for staleAfterMs. */
  checkStale(gate: TradeGate, now: number, staleAfterMs: number): void {
    if (gate.buffering || gate.stale) return;
    if (now - gate.lastArrival > staleAfterMs && this.board.get(gate.symbol) === 'live') {
      gate.stale = true;
      this.board.set(gate.symbol, 'stale', 'no trades');
    }
  }

  /** A live trade for a stale stream brings it back. */
  wake(gate: TradeGate): void {
    gate.stale = false;
    if (this.board.get(gate.symbol) === 'stale') this.board.set(gate.symbol, 'live', 'trading');
  }

  stop(): void {
    this.backfiller?.stop();
  }

  statuses(): StreamStatusInfo[] {
    return this.board.all((symbol) => {
      const ts = this.gates.get(symbol)?.lastTs;
      return ts !== undefined && Number.isFinite(ts) ? ts : undefined;
    });
  }

  onStatus(fn: StatusListener): () => void {
    return this.board.on(fn);
  }

  counters(): FeedCounters {
    return { ...this.stats, dropped: { ...this.stats.dropped } };
  }
}

/** A feed on a FeedCore: what it reports of its streams (status, listeners, counters) is the core's. */
export abstract class CoreFeed {
  abstract readonly venue: string;
  protected abstract readonly core: FeedCore;

  status(venue: string, symbol: string): StreamStatus | undefined {
    return venue === this.venue ? this.core.board.get(symbol) : undefined;
  }

  statuses(): StreamStatusInfo[] {
    return this.core.statuses();
  }

  onStatus(fn: StatusListener): () => void {
    return this.core.onStatus(fn);
  }

  counters(): FeedCounters {
    return this.core.counters();
  }
}
