import type { Bar, Tick } from '../core/types.js';

/**
 * The state of one (venue, symbol) stream as its feed sees it:
 * - `live`: connected, subscribed, trades flowing to the engine;
 * - `stale`: connected, but no trade for this symbol (or no frame at all) for longer than the
 *   venue's normal silence: its last price is not news;
 * - `reconnecting`: the connection is down or being re-established;
 * - `backfilling`: reconnected, filling the gap from REST history; live trades are buffered and
 *   handed over after the history, so that the engine sees them in time order.
 */
export type StreamStatus = 'live' | 'stale' | 'reconnecting' | 'backfilling';

export const STREAM_STATUSES: readonly StreamStatus[] = ['live', 'stale', 'reconnecting', 'backfilling'];

/** One stream's status, with when and why it last changed. */
export interface StreamStatusInfo {
  venue: string;
  symbol: string;
  status: StreamStatus;
  /** Local time (epoch ms) of the change. */
  since: number;
  /** Short machine-friendly reason, e.g. `connected`, `watchdog`, `closed 1006`, `backfill done`. */
  reason: string;
  /** Venue time of the newest trade handed to the engine, when any. */
  lastTradeTs?: number | undefined;
}

export interface StreamStatusChange extends StreamStatusInfo {
  previous: StreamStatus | undefined;
}

export type StatusListener = (change: StreamStatusChange) => void;

/** Who can say whether a stream is live: read by the composite to leave stale venues out. */
export interface StatusSource {
  status(venue: string, symbol: string): StreamStatus | undefined;
}

/** Counters a feed keeps for status output and metrics. Monotonic, except `buffered`. */
export interface FeedCounters {
  /** Frames received (every kind). */
  frames: number;
  /** Trades parsed from frames. */
  ticks: number;
  /** Frames or trades dropped because they were malformed or unexpected, by kind. */
  dropped: Record<string, number>;
  /** Connections opened (the first and every reconnect). */
  connects: number;
  /** Connections lost (closed, errored, or killed by the watchdog). */
  disconnects: number;
  /** Errors the feed recovered from (socket errors, ccxt watchTrades rejections). */
  errors: number;
  /** Watchdog firings: no frame for longer than the venue's silence limit. */
  stalls: number;
  /** Planned connection rotations (venues that cut connections after a fixed lifetime). */
  rotations: number;
  /** Trades handed to the engine from REST history (gap backfill and warm start). */
  backfilledTicks: number;
  /** 1-minute candles handed to the engine from REST history. */
  backfilledBars: number;
  /** REST history requests that failed. */
  backfillErrors: number;
  /** Live trades waiting while a backfill runs. */
  buffered: number;
  /** Live trades dropped because the buffer was full during a long backfill. */
  bufferOverflow: number;
}

export function emptyCounters(): FeedCounters {
  return {
    frames: 0,
    ticks: 0,
    dropped: {},
    connects: 0,
    disconnects: 0,
    errors: 0,
    stalls: 0,
    rotations: 0,
    backfilledTicks: 0,
    backfilledBars: 0,
    backfillErrors: 0,
    buffered: 0,
    bufferOverflow: 0,
  };
}

/** One venue's live trade feed for a set of symbols. */
export interface Feed extends StatusSource {
  readonly venue: string;
  readonly symbols: readonly string[];
  /** Watches more symbols (unified); each is warmed from REST history before its live trades. */
  add(symbols: readonly string[]): void;
  /** Connects and subscribes; resolves once the first connection attempt has been made. */
  start(): Promise<void>;
  /** Closes every connection and timer; no reconnect afterwards. */
  stop(): Promise<void>;
  statuses(): StreamStatusInfo[];
  onStatus(fn: StatusListener): () => void;
  counters(): FeedCounters;
}

/**
 * REST history of one venue: what a feed needs to fill a gap or warm a stream. Implemented over
 * ccxt (fetchTrades, fetchOHLCV); trades and bars come back oldest first.
 */
export interface HistorySource {
  /** Trades with since <= ts <= until, as far as the venue's API reaches. */
  trades(symbol: string, since: number, until: number): Promise<Tick[]>;
  /** Closed 1-minute candles with since <= start < until. */
  candles(symbol: string, since: number, until: number): Promise<Bar[]>;
}

/**
 * Structured logging, pino-compatible (`log.warn({ venue }, 'message')`), so that the composition
 * root can pass a pino child logger as is.
 */
export interface FeedLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: FeedLog = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
