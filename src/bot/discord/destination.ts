import { createHash } from 'node:crypto';
import { DiscordAPIError, HTTPError, RateLimitError, RESTJSONErrorCodes, Routes, type REST, type RESTPostAPIChannelMessageResult } from 'discord.js';
import { PermanentError, TemporaryError } from '../../engine/core/errors.js';
import type { Destination, OutboundMessage } from '../../engine/ports/destination.js';
import type { ChatAddress, DeliveryReceipt } from '../../engine/ports/store.js';
import { alertDiscordMessage } from './alert.js';
import { restMessage } from './message.js';

/**
 * Discord's answers that mean "this channel can no longer receive from this bot": retrying cannot
 * help until someone changes the channel, so delivery pauses it and tells whoever set it up.
 */
export const LOST_ACCESS: ReadonlyMap<number, string> = new Map([
  [RESTJSONErrorCodes.UnknownChannel, 'the channel no longer exists'],
  [RESTJSONErrorCodes.MissingAccess, 'the bot cannot see the channel'],
  [RESTJSONErrorCodes.MissingPermissions, 'the bot may not post there (Send Messages, Embed Links or Attach Files)'],
  [RESTJSONErrorCodes.CannotSendMessagesToThisUser, 'the user does not accept direct messages from the bot'],
  [RESTJSONErrorCodes.UnknownGuild, 'the bot is no longer in that server'],
]);

/**
 * A Discord failure in the delivery vocabulary: a rate limit is a TemporaryError with the wait
 * Discord asked for; lost access is a PermanentError (the chat is paused); server errors and
 * network failures are temporary; anything else (a refused token, a payload Discord rejects) is
 * an ordinary error, retried with backoff and then a dead letter, and never pauses a chat.
 */
export function classifyDiscordError(err: unknown, where: string): Error {
  if (err instanceof RateLimitError) {
    const wait = Math.max(err.retryAfter, err.timeToReset, err.sublimitTimeout, 0);
    return new TemporaryError(`Discord rate limit on ${where} (${err.global ? 'global' : err.route}): retry in ${wait} ms`, { cause: err, retryAfterMs: wait });
  }
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' ? err.code : Number.NaN;
    const lost = LOST_ACCESS.get(code);
    if (lost) return new PermanentError(`Discord refused ${where}: ${err.message}`, `discord ${code}: ${lost}`, { cause: err });
    if (err.status >= 500) return new TemporaryError(`Discord failed on ${where} (${err.status})`, { cause: err });
    if (err.status === 401) return new Error(`Discord refused the bot token (401) on ${where}: check DISCORD_TOKEN`, { cause: err });
    return new Error(`Discord refused ${where}: ${err.status} ${err.message}`, { cause: err });
  }
  if (err instanceof HTTPError) {
    return err.status >= 500 || err.status === 429 ? new TemporaryError(`Discord failed on ${where} (${err.status})`, { cause: err }) : new Error(`Discord answered ${err.status} on ${where}`, { cause: err });
  }
  return new TemporaryError(`Discord unreachable on ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** True for a failure with no answer from Discord at all (socket closed or reset, DNS, timeout). */
function isNetworkFailure(err: unknown): boolean {
  return err instanceof Error && !(err instanceof RateLimitError || err instanceof DiscordAPIError || err instanceof HTTPError);
}

/** Discord accepts a message nonce of at most this many characters. */
export const DISCORD_NONCE_MAX = 25;

/**
 * The nonce of a delivery: the delivery id hashed to 25 hex characters (100 bits), the same on
 * every attempt. Sent with `enforce_nonce`, it makes Discord answer a repeat within its nonce
 * window with the message already created instead of posting a second one.
 */
export function discordNonce(deliveryId: string): string {
  return createHash('sha256').update(deliveryId).digest('hex').slice(0, DISCORD_NONCE_MAX);
}

export interface DiscordDestinationOptions {
  /** A REST client from `discordRest` (rate limits on channel sends are thrown, not waited out). */
  rest: REST;
  /**
   * Called when a channel can no longer receive (before the PermanentError reaches delivery, which
   * pauses the chat): PauseNotices tells the people who set up its feeds and watches.
   */
  onLostAccess?: ((to: ChatAddress, reason: string) => Promise<unknown>) | undefined;
  /** Failures of onLostAccess (they never change the delivery's outcome). */
  log?: ((err: unknown, context: string) => void) | undefined;
}

/** Alerts to Discord channels (and DM channels): an embed, the chart PNG and the buttons. */
export class DiscordDestination implements Destination {
  readonly platform = 'discord';

  constructor(private readonly opts: DiscordDestinationOptions) {}

  async send(msg: OutboundMessage): Promise<DeliveryReceipt> {
    const { body, files } = restMessage(alertDiscordMessage(msg));
    // Idempotent create: a repeat of this delivery (a retry, or a send in doubt after a crash)
    // gets the message created the first time back.
    body.nonce = discordNonce(msg.deliveryId);
    body.enforce_nonce = true;
    const where = `channel ${msg.to.chatId}`;
    let sent: RESTPostAPIChannelMessageResult;
    const post = () => this.opts.rest.post(Routes.channelMessages(msg.to.chatId), { body, files }) as Promise<RESTPostAPIChannelMessageResult>;
    try {
      try {
        sent = await post();
      } catch (err) {
        // A connection that failed without an answer (typically a kept-alive socket the server
        // closed as we wrote to it) is tried once more at once: the nonce makes the repeat safe.
        if (!isNetworkFailure(err)) throw err;
        sent = await post();
      }
    } catch (err) {
      const e = classifyDiscordError(err, where);
      if (e instanceof PermanentError && this.opts.onLostAccess) {
        this.opts.onLostAccess(msg.to, e.reason).catch((notifyErr: unknown) => this.opts.log?.(notifyErr, `telling the owners of ${where} that it is paused`));
      }
      throw e;
    }
    return { at: Date.now(), messageId: sent.id };
  }
}
