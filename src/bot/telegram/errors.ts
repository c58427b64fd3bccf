import { GrammyError, HttpError } from 'grammy';
import { PermanentError, TemporaryError } from '../../engine/core/errors.js';

/**
 * Bot API answers after which this chat can no longer receive anything: the delivery pipeline
 * pauses the chat's subscriptions (and says why) instead of retrying.
 */
const CHAT_GONE: readonly { test: RegExp; reason: string }[] = [
  { test: /bot was blocked by the user/i, reason: 'blocked by the user' },
  { test: /bot was kicked/i, reason: 'bot removed from the chat' },
  { test: /user is deactivated/i, reason: 'user account deleted' },
  { test: /chat not found/i, reason: 'chat not found' },
  { test: /not enough rights|have no rights|CHAT_WRITE_FORBIDDEN|CHAT_SEND_PHOTOS_FORBIDDEN/i, reason: 'no right to post' },
  { test: /message thread not found|TOPIC_CLOSED|TOPIC_DELETED/i, reason: 'topic closed or deleted' },
  { test: /group chat was upgraded to a supergroup/i, reason: 'group upgraded to a supergroup' },
  { test: /bot is not a member|bot can't initiate conversation/i, reason: 'bot not in the chat' },
];

/**
 * A failed Bot API call in the terms delivery acts on: TemporaryError (with retryAfterMs on 429)
 * to retry, PermanentError when the chat is gone. A rejected token or a request we got wrong is
 * retried rather than pausing people's alerts: it is ours to fix, not theirs.
 */
export function translateTelegramError(err: unknown, what: string): Error {
  if (err instanceof GrammyError) {
    const desc = err.description;
    if (err.error_code === 429) {
      return new TemporaryError(`Telegram rate limit on ${what}: ${desc}`, { cause: err, retryAfterMs: (err.parameters.retry_after ?? 1) * 1000 });
    }
    if (err.error_code === 403 || err.error_code === 400) {
      const gone = CHAT_GONE.find((g) => g.test.test(desc));
      if (gone) return new PermanentError(`Telegram refused ${what}: ${desc}`, gone.reason, { cause: err });
    }
    if (err.error_code === 401) return new TemporaryError(`Telegram rejected the bot token on ${what} (401): check TELEGRAM_BOT_TOKEN`, { cause: err });
    return new TemporaryError(`Telegram answered ${err.error_code} to ${what}: ${desc}`, { cause: err });
  }
  if (err instanceof HttpError) return new TemporaryError(`Telegram unreachable on ${what}: ${err.message}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** A 400 about a file_id Telegram no longer accepts: send the message without it. */
export function isStaleFileRef(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /file|wrong remote file identifier|FILE_REFERENCE/i.test(err.description);
}
