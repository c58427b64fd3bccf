import { setTimeout as delay } from 'node:timers/promises';
import type { Bar, Tick } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { FeedCounters, FeedLog, HistorySource } from '../ports/feed.js';
import type { TickSink } from '../ports/tick-sink.js';
import type { TradeGate } from './trade-gate.js';

const MINUTE = 60_000;

export interface BackfillOptions {
  /** Warm start: fill a newly watched stream's windows from REST history before live trades. */
  warmStart: boolean;
  /** Warm start: recent trades this far back feed the short window (default: 15 minutes, its length). */
  warmTradesMs: number;
  /** Warm start: 1-minute candles this far back feed the long window. */
  warmCandleMinutes: number;
  /** A gap longer than this is filled only over its most recent part. */
  maxGapMs: number;
  /** Attempts of one backfill before live trades are let through with the gap unfilled. */
  attempts: number;
  /** Wait between attempts. */
  retryDelayMs: number;
}

export const BACKFILL_DEFAULTS: Readonly<BackfillOptions> = Object.freeze({
  warmStart: true,
  warmTradesMs: 15 * MINUTE,
  warmCandleMinutes: 240,
  maxGapMs: 60 * MINUTE,
  attempts: 3,
  retryDelayMs: 1_000,
});

/**
 * Fills streams from REST history: after a reconnect the gap since the newest trade handed over,
 * on a first subscription a warm start (candles for the long window, recent trades for the short
 * one). Requests run one at a time per venue (REST rate limits); the live trades of a stream wait
 * in its gate meanwhile.
 */
export class Backfiller {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Aborted by stop(): a retry wait ends at once. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly venue: string,
    private readonly history: HistorySource,
    private readonly sink: TickSink,
    private readonly clock: Clock,
    private readonly counters: FeedCounters,
    private readonly log: FeedLog,
    private readonly opt: BackfillOptions,
  ) {}

  /** Whether this stream needs history now: a gap to fill, or a warm start. */
  wants(gate: TradeGate): boolean {
    return Number.isFinite(gate.lastTs) || this.opt.warmStart;
  }

  /** Queues a backfill of one stream; `gate` must already hold its live trades. Resolves when handed over. */
  run(gate: TradeGate): Promise<void> {
    const job = this.chain.then(() => this.fill(gate));
    this.chain = job.catch(() => {});
    return job;
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
  }

  private async fill(gate: TradeGate): Promise<void> {
    const now = this.clock.now();
    const warm = !Number.isFinite(gate.lastTs);
    let trades: Tick[] = [];
    let bars: Bar[] = [];
    for (let attempt = 1; attempt <= this.opt.attempts && !this.stopped; attempt++) {
      try {
        if (warm) {
          const since = now - this.opt.warmTradesMs;
          trades = await this.history.trades(gate.symbol, since, now);
          const firstMinute = trades.length > 0 ? trades[0].ts - (trades[0].ts % MINUTE) : now - (now % MINUTE);
          const candles = await this.history.candles(gate.symbol, firstMinute - this.opt.warmCandleMinutes * MINUTE, firstMinute);
          bars = candles.filter((b) => b.ts < firstMinute);
        } else {
          const since = Math.max(gate.lastTs, now - this.opt.maxGapMs);
          trades = await this.history.trades(gate.symbol, since, now);
        }
        break;
      } catch (err) {
        this.counters.backfillErrors++;
        this.log.warn({ venue: this.venue, symbol: gate.symbol, attempt, err: errText(err) }, `backfill ${this.venue} ${gate.symbol} failed`);
        trades = [];
        bars = [];
        if (attempt < this.opt.attempts) await delay(this.opt.retryDelayMs, undefined, { signal: this.stopping.signal }).catch(() => {});
      }
    }
    // Long bars first: the engine takes history only older than what its long window holds.
    if (bars.length > 0) this.counters.backfilledBars += this.sink.ingestLongBars(this.venue, gate.symbol, bars);
    const n = gate.handOver(trades);
    this.log.info({ venue: this.venue, symbol: gate.symbol, kind: warm ? 'warm start' : 'gap', trades: n, bars: bars.length }, `backfill ${this.venue} ${gate.symbol} done`);
  }
}

export function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
