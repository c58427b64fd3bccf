import type { StreamStatus } from '../engine/ports/feed.js';

/** What a stream is shown as: its feed's status, or `unknown` when no feed reports it. */
export type ShownStatus = StreamStatus | 'unknown';

/**
 * The status a stream is shown with, on every page and in the API. It is the feed's own status,
 * except that a stream whose feed is down or catching up (`reconnecting`, `backfilling`) and whose
 * newest data is older than the staleness bound is `stale`: to the person watching, its price is
 * old news whatever the connection is doing. The feed's status stays beside it as the detail
 * (the pages write "stale · reconnecting 12s").
 *
 * `lastDataTs` is the time of the stream's newest data (the end of its newest bar), null when it
 * never had any: a stream with nothing shown cannot be stale.
 */
export function shownStatus(feed: StreamStatus | undefined, lastDataTs: number | null, now: number, staleAfterMs: number): ShownStatus {
  if (feed === undefined) return 'unknown';
  if ((feed === 'reconnecting' || feed === 'backfilling') && lastDataTs !== null && now - lastDataTs > staleAfterMs) return 'stale';
  return feed;
}

/** Whether a stream's shown status can change by time passing alone (what the periodic check looks at). */
export function mayGoStale(feed: StreamStatus | undefined): boolean {
  return feed === 'reconnecting' || feed === 'backfilling';
}
