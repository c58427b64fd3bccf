import type { BarOrigin, Tick } from '../core/types.js';
import type { FeedCounters } from '../ports/feed.js';
import type { TickSink } from '../ports/tick-sink.js';

/**
 * The way one stream's trades reach the engine. Live trades pass straight through, except while a
 * backfill runs: then they wait in a buffer, and the backfilled history goes first (the engine
 * drops a trade older than its open bar as late). Remembers the newest trade handed over, so that
 * the next gap starts exactly there.
 */
export class TradeGate {
  /** Venue time of the newest trade handed to the engine. */
  lastTs = -Infinity;
  /** Ids of the trades handed over at exactly lastTs (a trade at the gap's edge is not repeated). */
  private readonly lastKeys: string[] = [];
  private lastKeyCount = 0;
  /** Local time the newest live trade arrived (for the stale rule). */
  lastArrival = 0;
  /** Set when the stale rule fired; the next live trade clears it. */
  stale = false;
  private buffer: Tick[] | null = null;

  constructor(
    readonly venue: string,
    readonly symbol: string,
    private readonly sink: TickSink,
    private readonly counters: FeedCounters,
    private readonly bufferLimit: number,
  ) {}

  get buffering(): boolean {
    return this.buffer !== null;
  }

  /** A live trade. The hot path: no allocation beyond the tick itself. */
  live(t: Tick, arrival: number): void {
    this.lastArrival = arrival;
    const buf = this.buffer;
    if (buf !== null) {
      if (buf.length >= this.bufferLimit) {
        buf.shift();
        this.counters.bufferOverflow++;
      } else {
        this.counters.buffered++;
      }
      buf.push(t);
      return;
    }
    this.deliver(t, 'live');
  }

  /** From now on, live trades wait until handOver. */
  hold(): void {
    if (this.buffer === null) this.buffer = [];
  }

  /**
   * Hands backfilled trades (oldest first) and then the buffered live trades to the engine, without
   * repeating a trade already handed over or present in both lists; live trades flow directly again.
   */
  handOver(history: readonly Tick[]): number {
    const buf = this.buffer ?? [];
    this.buffer = null;
    this.counters.buffered -= Math.min(this.counters.buffered, buf.length);
    // A trade both buffered and in the history keeps its live copy: it did arrive live.
    const seen = new Set<string>();
    for (const t of buf) seen.add(keyOf(t));
    const merged: { t: Tick; origin: BarOrigin }[] = [];
    for (const t of history) {
      const k = keyOf(t);
      if (!this.isNew(t) || seen.has(k)) continue;
      seen.add(k);
      merged.push({ t, origin: 'backfill' });
    }
    const n = merged.length;
    const live = new Set<string>();
    for (const t of buf) {
      const k = keyOf(t);
      if (live.has(k)) continue;
      live.add(k);
      merged.push({ t, origin: 'live' });
    }
    // Stable: equal times keep history before live, each in its own order.
    merged.sort((a, b) => a.t.ts - b.t.ts);
    for (const m of merged) this.deliver(m.t, m.origin);
    this.counters.backfilledTicks += n;
    return n;
  }

  /** Hands one trade to the engine and remembers the newest. */
  private deliver(t: Tick, origin: BarOrigin): void {
    this.sink.ingest(t, origin);
    const ts = t.ts;
    if (ts > this.lastTs) {
      this.lastTs = ts;
      this.lastKeys[0] = keyOf(t);
      this.lastKeyCount = 1;
    } else if (ts === this.lastTs && this.lastKeyCount < MAX_EDGE_KEYS) {
      this.lastKeys[this.lastKeyCount++] = keyOf(t);
    }
  }

  private isNew(t: Tick): boolean {
    if (t.ts > this.lastTs) return true;
    if (t.ts < this.lastTs) return false;
    const k = keyOf(t);
    for (let i = 0; i < this.lastKeyCount; i++) if (this.lastKeys[i] === k) return false;
    return true;
  }
}

/** Trades remembered at the newest timestamp (more trades in one millisecond are rare). */
const MAX_EDGE_KEYS = 64;

/** A trade's identity: the venue id, or its content when the venue gives none. */
export function keyOf(t: Tick): string {
  return t.id !== undefined && t.id !== '' ? String(t.id) : `${t.ts}|${t.price}|${t.qty}|${t.side ?? ''}`;
}
