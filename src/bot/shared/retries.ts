/**
 * Retries the chat clients make on their own (grammY's auto-retry, discord.js REST): each one is
 * reported as it is decided, before the wait, so that an operator sees a platform throttling or
 * failing while it happens instead of a delivery that is merely slow.
 */

/** Why a call is tried again: the platform asked to wait (429), it failed (5xx), or no answer came. */
export type RetryReason = 'rate_limited' | 'server_error' | 'network';

/**
 * One retry, as the client decided it. Never a token or a URL: Telegram's URLs carry the bot
 * token and Discord's interaction routes a webhook token, so a call is named by its Bot API
 * method or its route template.
 */
export interface PlatformRetry {
  platform: 'telegram' | 'discord';
  reason: RetryReason;
  /** Telegram: the Bot API method (`sendPhoto`). Discord: the HTTP method (`POST`). */
  method: string;
  /** Discord: the route template (`/channels/:id/messages`, `/interactions/:id/:token/callback`). */
  route?: string | undefined;
  /** The answer's status: HTTP status, or Telegram's `error_code`. Absent when no answer came. */
  status?: number | undefined;
  /** How long the client waits before the next try (ms): the platform's retry-after on a 429, the client's backoff otherwise; 0 when it tries at once. */
  waitMs: number;
  /** A 429: the wait the platform asked for (Telegram's `retry_after`, Discord's `Retry-After`), in ms. */
  retryAfterMs?: number | undefined;
  /** 1 for the first retry of this call, 2 for the second, ... */
  attempt: number;
  /** Discord 429: the bucket's request limit, when the answer gave one. */
  limit?: number | undefined;
  /** Discord 429: the global limit (every route of the bot), not one route's. */
  global?: boolean | undefined;
  /** Discord 429: `user`, `global` or `shared` (X-RateLimit-Scope). */
  scope?: string | undefined;
  /** Network: the error's code or name (`ECONNRESET`, `AbortError`), never its message (it can hold a URL). */
  cause?: string | undefined;
}

/** Called once per retry; the composition root logs and counts it. */
export type OnPlatformRetry = (retry: PlatformRetry) => void;

/**
 * A network error's code (`ECONNRESET`, `UND_ERR_SOCKET`) or else its name (`AbortError`,
 * `FetchError`): something an operator can act on that cannot carry a URL or a token.
 */
export function networkCause(err: unknown): string | undefined {
  const safe = (v: unknown): string | undefined => (typeof v === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(v) ? v : undefined);
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; name?: unknown; cause?: unknown };
  return safe(e.code) ?? (e.cause !== undefined && e.cause !== err ? networkCause(e.cause) : undefined) ?? safe(e.name);
}
