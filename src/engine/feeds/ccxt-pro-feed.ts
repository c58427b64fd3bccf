import { setTimeout as delay } from 'node:timers/promises';
import type { Exchange } from 'ccxt';
import type { Clock } from '../ports/clock.js';
import { silentLog, type Feed, type FeedLog, type HistorySource } from '../ports/feed.js';
import type { TickSink } from '../ports/tick-sink.js';
import { errText, type BackfillOptions } from './backfill.js';
import { Backoff } from './backoff.js';
import { tickOf } from './ccxt-history.js';
import { CoreFeed, FeedCore, type ResumeFrom } from './feed-core.js';
import type { TradeGate } from './trade-gate.js';
import { mergeTuning, type FeedTuning } from './ws-feed.js';

/**
 * Without frames of its own to watch, a ccxt feed declares the exchange's connection dead when no
 * stream has delivered anything for this long (ccxt's own keep-alive pings catch most deaths first).
 */
export const CCXT_SILENCE_MS = 5 * 60_000;

/** stop() waits this long at most for ccxt and the consumer loops to wind down. */
const STOP_WAIT_MS = 2_000;

export interface CcxtProFeedOptions {
  venue: string;
  /** A ccxt pro exchange (see createCcxtExchange). */
  exchange: Exchange;
  symbols: readonly string[];
  sink: TickSink;
  clock: Clock;
  history?: HistorySource | undefined;
  log?: FeedLog | undefined;
  tuning?: Partial<FeedTuning> | undefined;
  backfill?: Partial<BackfillOptions> | undefined;
  /** Where each stream's data already ends in the sink (restored windows); see ResumeFrom. */
  resumeFrom?: ResumeFrom | undefined;
}

/**
 * Any exchange ccxt pro supports, through `watchTrades`: one consumer loop per symbol. A pending
 * watchTrades rejects when the connection drops and the next call dials again, so the loop
 * catches, counts, waits (backoff with jitter) and calls again; the first result after a
 * reconnect triggers a gap backfill over REST.
 */
export class CcxtProFeed extends CoreFeed implements Feed {
  readonly venue: string;
  private readonly ex: Exchange;
  private readonly clock: Clock;
  private readonly log: FeedLog;
  private readonly tuning: FeedTuning;
  protected readonly core: FeedCore;
  private readonly silenceMs: number;
  private running = false;
  /** Aborted by stop(): ends a reconnect backoff at once instead of holding the process open. */
  private stopping = new AbortController();
  private loops: Promise<void>[] = [];
  private checkTimer: NodeJS.Timeout | null = null;
  private lastResultAt = 0;
  private readonly up = new Set<string>();
  private readonly errorsSeen = new Set<string>();

  constructor(o: CcxtProFeedOptions) {
    super();
    this.venue = o.venue;
    const symbols = [...new Set(o.symbols)];
    this.ex = o.exchange;
    this.clock = o.clock;
    this.log = o.log ?? silentLog;
    this.tuning = mergeTuning(o.tuning);
    this.silenceMs = this.tuning.silenceMs ?? CCXT_SILENCE_MS;
    this.core = new FeedCore({ venue: o.venue, symbols, sink: o.sink, clock: o.clock, log: this.log, history: o.history, backfill: o.backfill, bufferLimit: this.tuning.bufferLimit, resumeFrom: o.resumeFrom });
  }

  get symbols(): readonly string[] {
    return [...this.core.gates.keys()];
  }

  /** Watches more symbols: one more consumer loop each (warmed from REST history on first result). */
  add(symbols: readonly string[]): void {
    for (const s of symbols) {
      if (this.core.gates.has(s)) continue;
      const g = this.core.add(s);
      if (this.running) this.loops.push(this.loop(g));
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.lastResultAt = this.clock.now();
    this.loops = [...this.core.gates.values()].map((g) => this.loop(g));
    this.checkTimer = setInterval(() => this.check(), this.tuning.checkIntervalMs);
    this.checkTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.core.stop();
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.checkTimer = null;
    const closing = this.ex.close().catch((err: unknown) => this.log.debug({ venue: this.venue, err: errText(err) }, 'ccxt close failed'));
    // A socket or a watchTrades that never settles must not hold shutdown.
    const waited = new AbortController();
    await Promise.race([Promise.all([closing, ...this.loops]), delay(STOP_WAIT_MS, undefined, { signal: waited.signal, ref: false }).catch(() => {})]);
    waited.abort();
    this.loops = [];
  }

  private async loop(g: TradeGate): Promise<void> {
    const backoff = new Backoff(this.tuning.backoff);
    let since = 0;
    while (this.running) {
      try {
        const trades = await this.ex.watchTrades(g.symbol);
        if (!this.running) break;
        const now = this.clock.now();
        this.lastResultAt = now;
        this.core.stats.frames++;
        if (!this.up.has(g.symbol)) {
          this.up.add(g.symbol);
          this.core.stats.connects++;
          since = now;
          // Trades of this first result are live; the backfill buffers them behind the history.
          this.core.connected(g, () => this.running && this.up.has(g.symbol));
        }
        for (const t of trades) {
          const tick = tickOf(this.venue, g.symbol, t);
          if (!tick) {
            this.core.drops.drop('bad_trade', JSON.stringify(t.info ?? t).slice(0, 200));
            continue;
          }
          this.core.stats.ticks++;
          g.live(tick, now);
        }
        if (g.stale) this.core.wake(g);
        if (now - since >= this.tuning.backoff.resetAfterMs) backoff.reset();
      } catch (err) {
        if (!this.running) break;
        this.lost(g, err);
        await delay(backoff.next(), undefined, { signal: this.stopping.signal }).catch(() => {});
      }
    }
  }

  private lost(g: TradeGate, err: unknown): void {
    const text = errText(err);
    if (this.up.delete(g.symbol)) this.core.stats.disconnects++;
    this.core.board.set(g.symbol, 'reconnecting', text.slice(0, 120));
    // Each kind of failure is logged once at warn level; repeats only count.
    const kind = err instanceof Error ? err.name : 'error';
    if (!this.errorsSeen.has(kind)) {
      this.errorsSeen.add(kind);
      this.log.warn({ venue: this.venue, symbol: g.symbol, err: text }, `feed ${this.venue}: watchTrades failed, retrying`);
    }
    this.core.stats.errors++;
  }

  private check(): void {
    const now = this.clock.now();
    for (const g of this.core.gates.values()) this.core.checkStale(g, now, this.tuning.staleAfterMs);
    if (this.up.size > 0 && now - this.lastResultAt > this.silenceMs) {
      this.core.stats.stalls++;
      this.lastResultAt = now;
      this.log.warn({ venue: this.venue }, `feed ${this.venue}: no trades on any stream for too long, reconnecting`);
      // Closing makes every pending watchTrades reject; the loops reconnect.
      void this.ex.close().catch(() => {});
    }
  }
}
