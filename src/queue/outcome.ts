import { PermanentError, TemporaryError } from '../engine/core/errors.js';
import { MAX_DEFERRALS, type QueueOptions } from '../engine/ports/queue.js';

/** What a failed run leads to; both queue implementations follow it. */
export type FailureOutcome =
  | { action: 'defer'; delayMs: number }
  | { action: 'retry'; delayMs: number }
  | { action: 'dead'; reason: string };

/**
 * Classifies a handler failure. `attemptsMade` counts failed runs before this one; `deferrals`
 * the deferrals so far.
 */
export function failureOutcome(err: unknown, attemptsMade: number, deferrals: number, opts: QueueOptions): FailureOutcome {
  if (err instanceof TemporaryError && err.retryAfterMs !== undefined && deferrals < MAX_DEFERRALS) {
    return { action: 'defer', delayMs: Math.max(0, Math.ceil(err.retryAfterMs)) };
  }
  if (err instanceof PermanentError) return { action: 'dead', reason: `${err.message} (${err.reason})` };
  const made = attemptsMade + 1;
  if (made >= opts.attempts) return { action: 'dead', reason: `${errorText(err)} (after ${made} attempts)` };
  return { action: 'retry', delayMs: backoffDelay(opts.backoffMs, made) };
}

/** Exponential backoff as BullMQ computes it: base, 2 x base, 4 x base, ... */
export function backoffDelay(baseMs: number, attemptsMade: number): number {
  return Math.round(baseMs * 2 ** Math.max(0, attemptsMade - 1));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

/** Job ids and queue names: BullMQ forbids `:` in custom ids; both queues accept the same set. */
export function checkJobId(id: string): string {
  if (!SAFE_ID.test(id)) throw new Error(`bad job id "${id}": use letters, digits, '.', '_' and '-'`);
  return id;
}

export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`bad queue name "${name}": use letters, digits, '_' and '-'`);
  return name;
}
