import type { AlertEvent, Bar, BarSource, ChartPort, Clock, Evaluation } from '../engine/index.js';
import type { StatusListener, StreamStatusInfo } from '../engine/ports/feed.js';
import type { DeadLetter, QueueCounts } from '../engine/ports/queue.js';
import type { Subscription } from '../engine/ports/store.js';
import type { DashboardOptions } from './options.js';

/**
 * What the dashboard reads, as narrow read models. The real objects satisfy them as they are
 * (Engine, each Feed, the Store, DeliveryPipeline.status, the render pool), so the composition
 * root passes them in, and tests build them from a real Engine fed with synthetic ticks.
 */

/** One (venue, symbol) stream. StreamState provides all of it. */
export interface StreamView {
  readonly venue: string;
  readonly symbol: string;
  /** The latest verdict; one object overwritten at every bar close: copy what you keep. */
  readonly evaluation: Evaluation;
  readonly counters: { readonly ticks: number; readonly bars: number };
  /** Local time (the engine's clock, to within its advance interval) at which the stream's newest trade arrived; 0 before any. */
  readonly arrivedAt?: number | undefined;
  bars(resolution: 'short' | 'long', fromTs?: number, toTs?: number): Bar[];
}

/** The engine. Engine provides all of it. */
export interface EngineView {
  readonly options: { readonly shortBarMs: number; readonly shortBars: number; readonly longBarMs: number; readonly longBars: number };
  streams(): Iterable<StreamView>;
  find(venue: string, symbol: string): StreamView | undefined;
  onEvaluation(fn: (ev: Evaluation, stream: StreamView) => void): () => void;
  onAlert(fn: (a: AlertEvent) => void): () => void;
}

/** One venue's feed statuses. Every Feed provides it. */
export interface FeedStatusView {
  statuses(): StreamStatusInfo[];
  onStatus(fn: StatusListener): () => void;
}

/** Alert history and charts. The Store (memory or Redis) provides it. */
export interface AlertReader {
  getAlert(id: string): Promise<AlertEvent | null>;
  /** Newest first, across venues unless one is given. */
  recentAlerts(symbol: string, limit: number, venue?: string): Promise<AlertEvent[]>;
  getChart(alertId: string): Promise<Uint8Array | null>;
}

/** A queue's depth and dead letters. DeliveryPipeline.status() answers a list of them. */
export interface QueueReport {
  name: string;
  counts: QueueCounts;
  deadLetters: DeadLetter[];
}

export interface DeliveryFailureCount {
  platform: string;
  reason: string;
  count: number;
}

/** What the status page shows beside the feeds. Every part is optional: absent parts are not shown. */
export interface OpsView {
  queues?: (() => Promise<QueueReport[]>) | undefined;
  deliveryFailures?: (() => Promise<DeliveryFailureCount[]>) | undefined;
  /** Every subscription; only counts ever leave the server. */
  subscriptions?: (() => Promise<Subscription[]>) | undefined;
}

/** The cross-venue composite of a symbol, when the engine keeps one (CrossVenue.composite). */
export type CompositeLookup = (symbol: string) => { price: number; venues: string[] } | undefined;

/** Structured logging, pino-compatible. */
export interface WebLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DashboardAuth {
  /** The address the HTTP server binds. Anything but loopback needs a token. */
  host: string;
  /** TICKWATCH_DASHBOARD_TOKEN, read by config loading; absent on loopback means no login. */
  token?: string | undefined;
  /** Adds `Secure` to the session cookie (serve over HTTPS, or behind a TLS proxy that says so). */
  secureCookie?: boolean | undefined;
}

export interface DashboardDeps {
  engine: EngineView;
  feeds: readonly FeedStatusView[];
  alerts: AlertReader;
  /** Draws an alert's chart when the store holds none (the render pool). */
  charts?: ChartPort | undefined;
  /** Chart data for charts drawn on demand (EngineBarSource over the engine). */
  bars?: BarSource | undefined;
  composite?: CompositeLookup | undefined;
  ops?: OpsView | undefined;
  clock: Clock;
  auth: DashboardAuth;
  /** Values that must never reach a response: chat tokens, the dashboard token, credentials in URLs. */
  secrets: readonly (string | undefined)[];
  log?: WebLog | undefined;
  options?: Partial<DashboardOptions> | undefined;
}
