/**
 * Errors named by what the caller must do. Expected failures that a user can fix carry a stable
 * code so that each chat platform can word them its own way.
 */
export type UserErrorCode =
  | 'unknown_symbol'
  | 'unknown_venue'
  | 'out_of_range'
  | 'limit_reached'
  | 'not_found'
  | 'forbidden'
  | 'rate_limited'
  | 'bad_input';

/** The user's input is wrong: tell them how to fix it; never retry. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A passing failure (network, rate limit, a service restarting): retry later. */
export class TemporaryError extends Error {
  override readonly name = 'TemporaryError';
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** A failure that retrying cannot fix (bot removed from a chat, bad credentials). */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    message: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad input data (a malformed file line, a malformed frame): where it is and what is wrong. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly source: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${source}: ${message}` : `${source}:${line}: ${message}`);
  }
}
