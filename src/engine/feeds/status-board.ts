import type { Clock } from '../ports/clock.js';
import type { FeedLog, StatusListener, StreamStatus, StreamStatusChange, StreamStatusInfo } from '../ports/feed.js';

/** The statuses of one venue's streams, with listeners. Shared by every kind of feed. */
export class StatusBoard {
  private readonly byKey = new Map<string, StreamStatusInfo>();
  private readonly listeners = new Set<StatusListener>();

  constructor(
    readonly venue: string,
    private readonly clock: Clock,
    private readonly log: FeedLog,
  ) {}

  get(symbol: string): StreamStatus | undefined {
    return this.byKey.get(symbol)?.status;
  }

  info(symbol: string): StreamStatusInfo | undefined {
    return this.byKey.get(symbol);
  }

  /** Changes a stream's status; listeners hear only real changes. */
  set(symbol: string, status: StreamStatus, reason: string): void {
    const cur = this.byKey.get(symbol);
    if (cur && cur.status === status) return;
    const info: StreamStatusInfo = { venue: this.venue, symbol, status, since: this.clock.now(), reason };
    this.byKey.set(symbol, info);
    const change: StreamStatusChange = { ...info, previous: cur?.status };
    const level = status === 'live' || status === 'backfilling' ? 'info' : 'warn';
    this.log[level]({ venue: this.venue, symbol, status, previous: change.previous, reason }, `feed ${this.venue} ${symbol}: ${status}`);
    for (const fn of this.listeners) {
      try {
        fn(change);
      } catch (err) {
        this.log.error({ venue: this.venue, err }, 'status listener threw');
      }
    }
  }

  /** Every stream's status; `lastTrade` supplies the newest trade time handed over, if any. */
  all(lastTrade: (symbol: string) => number | undefined = () => undefined): StreamStatusInfo[] {
    return [...this.byKey.values()].map((i) => ({ ...i, lastTradeTs: lastTrade(i.symbol) }));
  }

  on(fn: StatusListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
