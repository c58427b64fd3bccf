import type { Api } from 'grammy';
import type { Clock } from '../../engine/ports/clock.js';
import { systemClock } from '../../engine/ports/clock.js';
import type { Destination, OutboundMessage } from '../../engine/ports/destination.js';
import type { DeliveryReceipt } from '../../engine/ports/store.js';
import { alertMessage } from '../shared/alert-message.js';
import { translateTelegramError } from './errors.js';
import { sendContent } from './send.js';

export interface TelegramDestinationOptions {
  clock?: Clock | undefined;
  /** Label of a mentioned watcher (their first name when the bot has seen it). */
  mentionLabel?: ((userId: string) => string) | undefined;
}

/**
 * Alerts to Telegram: a photo with the `[ALERT]` text as its caption and the inline keyboard
 * (Snooze 1h, Unwatch, Chart 24h, 👍/👎), in the chat's forum topic when it has one. The first
 * recipient uploads the PNG; the receipt carries its file_id, which the pipeline stores
 * (AlertStore.setMediaRef) and hands back as `chart.mediaRef` for everyone after.
 * Failures come out as TemporaryError (429 with retryAfterMs) or PermanentError (blocked, gone).
 */
export class TelegramDestination implements Destination {
  readonly platform = 'telegram';
  private readonly clock: Clock;

  constructor(
    private readonly api: Api,
    private readonly opts: TelegramDestinationOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  async send(msg: OutboundMessage): Promise<DeliveryReceipt> {
    const m = alertMessage(msg, this.opts.mentionLabel);
    const photo = msg.chart?.mediaRef ?? msg.chart?.png;
    try {
      const sent = await sendContent(this.api, msg.to, { text: m.text, buttons: m.buttons, photo, fileName: msg.chart?.fileName, parts: msg.parts });
      return { at: this.clock.now(), messageId: String(sent.message.message_id), mediaRef: sent.photoFileId };
    } catch (err) {
      throw translateTelegramError(err, `${msg.kind} ${msg.deliveryId} to chat ${msg.to.chatId}`);
    }
  }
}
