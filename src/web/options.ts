import { FEED_TUNING_DEFAULTS } from '../engine/feeds/ws-feed.js';

/** The dashboard's numbers, documented once here (docs/dashboard.md refers to these names). */
export interface DashboardOptions {
  /** Shortest spacing of two updates of one stream sent to browsers: at most 4 a second. */
  streamMinIntervalMs: number;
  /**
   * Events arriving within this of each other leave as one write per client. The engine closes
   * every stream's bar in one call, so a few milliseconds gather them all.
   */
  batchDelayMs: number;
  /** A comment line this often keeps idle event streams open through proxies. */
  heartbeatMs: number;
  /** How long a browser waits before reconnecting a dropped event stream (EventSource `retry`). */
  retryMs: number;
  /** Event-stream clients served at once; more get 503 and retry. */
  maxClients: number;
  /** A client this many bytes behind is dropped; it reconnects and resynchronises. */
  maxClientBacklogBytes: number;
  /** Alerts kept in memory, for the feed before the store has recorded them and for ids it lost. */
  recentAlerts: number;
  /** Score trail on the overview: this many buckets of scoreTrailBucketMs (the highest score in each). */
  scoreTrailPoints: number;
  scoreTrailBucketMs: number;
  /** Price sparkline on the overview: the last this-many long bars (1 hour of 1-minute bars). */
  sparkPoints: number;
  /** Change columns of the overview are recomputed at most this often per stream for live updates. */
  changeRefreshMs: number;
  /** A venue is flagged as diverging when its price is this far (percent) from the composite. */
  divergencePct: number;
  /** A venue's price counts for the composite when its newest bar is at most this old. */
  freshMs: number;
  /**
   * The staleness bound: a stream whose feed is reconnecting or backfilling and whose newest data
   * is older than this is shown `stale` (the feed's state as the detail). The default is the
   * feeds' own bound for a connected stream with no trade (FeedTuning.staleAfterMs).
   */
  staleAfterMs: number;
  /** How often streams whose feed is down are looked at again, to show them stale once the bound passes. */
  staleCheckMs: number;
  /** Alerts one /api/alerts answer lists at most, and by default. */
  alertsMaxLimit: number;
  alertsDefaultLimit: number;
  /** Span of an alert chart drawn on demand, before and after the alert. */
  chartBeforeMs: number;
  chartAfterMs: number;
  /** Failed logins (or wrong tokens) from one address within failureWindowMs before it is locked out. */
  maxAuthFailures: number;
  authFailureWindowMs: number;
  /** Addresses whose failures are remembered; the oldest are forgotten beyond this. */
  authTrackedClients: number;
  /** Lifetime of the login cookie. */
  sessionMaxAgeS: number;
}

export const DASHBOARD_DEFAULTS: Readonly<DashboardOptions> = Object.freeze({
  streamMinIntervalMs: 250,
  batchDelayMs: 5,
  heartbeatMs: 15_000,
  retryMs: 2_000,
  maxClients: 2_000,
  maxClientBacklogBytes: 1 << 20,
  recentAlerts: 500,
  scoreTrailPoints: 60,
  scoreTrailBucketMs: 5_000,
  sparkPoints: 60,
  changeRefreshMs: 5_000,
  divergencePct: 0.25,
  freshMs: 30_000,
  staleAfterMs: FEED_TUNING_DEFAULTS.staleAfterMs,
  staleCheckMs: 1_000,
  alertsMaxLimit: 500,
  alertsDefaultLimit: 50,
  chartBeforeMs: 60 * 60_000,
  chartAfterMs: 0,
  maxAuthFailures: 10,
  authFailureWindowMs: 15 * 60_000,
  authTrackedClients: 10_000,
  sessionMaxAgeS: 30 * 24 * 3600,
});

/** A dashboard token shorter than this is refused: it would fall to guessing. */
export const MIN_TOKEN_LENGTH = 16;

export function dashboardOptions(o: Partial<DashboardOptions> = {}): DashboardOptions {
  return { ...DASHBOARD_DEFAULTS, ...o };
}
