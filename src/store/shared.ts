import type { AlertEvent } from '../engine/core/types.js';
import type { FeedbackTally, LimitScope, PutOutcome, Vote } from '../engine/ports/store.js';

/** Helpers both stores share, so that they agree on names and answers. */

/** Burst records outlive their window by this factor, so that a retried flush still finds its items. */
export const BURST_TTL_WINDOWS = 10;

export function chatIndexKey(platform: string, chatId: string): string {
  return `${platform}:${chatId}`;
}

export function userIndexKey(platform: string, userId: string): string {
  return `${platform}:${userId}`;
}

export function limitField(scope: LimitScope, key: string): string {
  return `${scope}:${key}`;
}

export function limitOutcome(scope: LimitScope, limit: number): PutOutcome {
  return { status: 'limit_reached', scope, limit };
}

export function tally(votes: Iterable<Vote | number>): FeedbackTally {
  const t = { up: 0, down: 0 };
  for (const v of votes) {
    if (v === 1) t.up++;
    else if (v === -1) t.down++;
  }
  return t;
}

/** Newest alert first; ties broken by id so that both stores answer in the same order. */
export function byNewest(a: AlertEvent, b: AlertEvent): number {
  return b.ts - a.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
