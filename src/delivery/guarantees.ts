/**
 * What stops a repeated send from becoming a second message, per platform, and what the pipeline
 * does with a delivery in doubt (a send started and left no receipt: see `AttemptStore` in
 * `src/engine/ports/store.ts`).
 *
 * Policy: an in-doubt delivery is **sent again**, on every platform. A lost alert is worse than a
 * repeated one; where the platform or the receiver honours the delivery id, the repeat is dropped
 * there and the reader sees one message.
 */

/**
 * - `platform-key`: the platform itself drops a repeat carrying the same key within `windowMs`
 *   (Discord: `nonce` + `enforce_nonce`). Exactly once when the repeat comes within the window.
 * - `receiver-key`: the delivery id travels with the message (webhook header, mail Message-ID);
 *   the receiver's dedupe on it is the documented contract.
 * - `none`: no key exists (Telegram Bot API): at least once; an in-doubt repeat can be a second
 *   message.
 */
export type RepeatGuard = 'platform-key' | 'receiver-key' | 'none';

export interface PlatformGuarantee {
  guard: RepeatGuard;
  /** For `platform-key`: how long the platform remembers the key. */
  windowMs?: number | undefined;
}

/**
 * How long we count on Discord remembering a message nonce. Discord documents "the past few
 * minutes" without a figure; two minutes is the conservative reading. A stalled job runs again
 * after `stallAfterMs` (30 s by default) and a failed send's backoff retries come within this.
 */
export const DISCORD_NONCE_WINDOW_MS = 2 * 60_000;

export const PLATFORM_GUARANTEES: Readonly<Record<string, PlatformGuarantee>> = {
  discord: { guard: 'platform-key', windowMs: DISCORD_NONCE_WINDOW_MS },
  webhook: { guard: 'receiver-key' },
  email: { guard: 'receiver-key' },
  telegram: { guard: 'none' },
  console: { guard: 'none' },
};

/** A delivery whose previous send left no receipt, about to be sent again. */
export interface InDoubt {
  deliveryId: string;
  platform: string;
  guard: RepeatGuard;
  /** Since the first send that left no receipt started (what a platform's window must cover). */
  sinceMs: number;
  /** The previous send's job attempt. */
  previousAttempt: number;
  /**
   * True when the repeat cannot become a second message for the reader: the platform drops it
   * (within its window) or the receiver's contract does. False: the reader may see it twice.
   */
  covered: boolean;
}

export function guaranteeOf(platform: string): PlatformGuarantee {
  return PLATFORM_GUARANTEES[platform] ?? { guard: 'none' };
}

export function inDoubt(deliveryId: string, platform: string, previous: { firstAt: number; attempt: number }, now: number): InDoubt {
  const g = guaranteeOf(platform);
  const sinceMs = Math.max(0, now - previous.firstAt);
  const covered = g.guard === 'receiver-key' || (g.guard === 'platform-key' && sinceMs <= (g.windowMs ?? 0));
  return { deliveryId, platform, guard: g.guard, sinceMs, previousAttempt: previous.attempt, covered };
}
