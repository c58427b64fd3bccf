import type { AlertEvent } from '../core/types.js';
import type { ChatAddress, DeliveryReceipt } from './store.js';

/** The chart that goes with a message: bytes, or a handle the platform already holds. */
export interface ChartAttachment {
  /** PNG bytes; absent when `mediaRef` is enough or the chart could not be rendered. */
  png?: Uint8Array | undefined;
  /** The platform's handle from an earlier upload of the same chart (Telegram file_id). */
  mediaRef?: string | undefined;
  /** Public URL of the chart, when the deployment serves charts over HTTP. */
  url?: string | undefined;
  /** Stable file name, e.g. `<alert id>.png`. */
  fileName: string;
}

export interface OutboundMessage {
  /**
   * Stable across retries and restarts: destinations that accept an idempotency key pass it on
   * (the webhook sends it as a header) so that a receiver can drop a repeat.
   */
  deliveryId: string;
  to: ChatAddress;
  /** `alert`: one alert. `burst`: many pairs of this destination moved together. */
  kind: 'alert' | 'burst';
  /** The alert, or the burst's alerts strongest first. */
  alerts: AlertEvent[];
  /** Plain-text form (the `[ALERT]` block, or the burst summary). */
  text: string;
  /** For a burst: pairs the destination follows (the M in "N of M pairs"). */
  pairsFollowed?: number | undefined;
  /** Users to mention (watchers in a shared chat); empty for feeds. */
  mentions: string[];
  chart?: ChartAttachment | undefined;
  /**
   * For a destination that sends one message in several calls (Telegram: a photo, then a text
   * too long for its caption): the parts an earlier run already sent, to skip, and where to record
   * each part the moment the platform confirms it, so that a failure or a crash before the last
   * call repeats only what did not go out. Absent outside the delivery pipeline.
   */
  parts?: SendParts | undefined;
}

/** Read and written only by destinations that split a message: the others cost no store call. */
export interface SendParts {
  /** Parts an earlier run sent. */
  sent(): Promise<ReadonlySet<string>>;
  /** Durably records a part as sent; resolves once it is recorded. */
  record(part: string): Promise<void>;
}

/**
 * A place alerts go: a chat platform, a webhook, mail, the console. `send` throws TemporaryError
 * (with retryAfterMs when the platform said when) for passing failures and PermanentError when
 * retrying cannot help (bot removed, user blocked the bot, chat gone, bad address).
 */
export interface Destination {
  readonly platform: string;
  send(message: OutboundMessage): Promise<DeliveryReceipt>;
}
