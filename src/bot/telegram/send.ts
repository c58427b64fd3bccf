import { InlineKeyboard, InputFile, type Api } from 'grammy';
import type { Message } from 'grammy/types';
import { encodeAction, type Button, type RichText } from '../../../commands/framework.js';
import type { SendParts } from '../../engine/ports/destination.js';
import type { ChatAddress } from '../../engine/ports/store.js';
import { isStaleFileRef } from './errors.js';
import { TELEGRAM_CAPTION_MAX, TELEGRAM_TEXT_MAX, toTelegramHtml, truncateRich, visibleLength } from './html.js';

/** What goes into one chat: text, optional picture (bytes, or a file_id from an earlier upload), buttons. */
export interface TelegramContent {
  text: RichText;
  photo?: Uint8Array | string | undefined;
  fileName?: string | undefined;
  buttons?: readonly (readonly Button[])[] | undefined;
  /** Answer to this message (commands). */
  replyTo?: number | undefined;
  /**
   * Parts sent by an earlier try and where to record them (alerts through the delivery pipeline):
   * a photo whose text did not fit its caption is PHOTO_PART, and is not sent twice.
   */
  parts?: SendParts | undefined;
}

/** The photo sent ahead of a text too long for its caption. */
export const PHOTO_PART = 'photo';

export interface SentContent {
  /** The message carrying the text (and buttons). */
  message: Message;
  /** file_id of the largest size of an uploaded photo, for reuse. */
  photoFileId?: string | undefined;
}

export function inlineKeyboard(rows: readonly (readonly Button[])[] | undefined): InlineKeyboard | undefined {
  if (!rows?.length) return undefined;
  const kb = rows
    .map((r) => r.flatMap((b) => {
      const data = encodeAction(b.action);
      return data === null ? [] : [InlineKeyboard.text(b.label, data)];
    }))
    .filter((r) => r.length > 0);
  return kb.length ? new InlineKeyboard(kb) : undefined;
}

/** chat_id and message_thread_id of an address (forum topics keep their thread). */
export function target(to: ChatAddress): { chat_id: number | string; message_thread_id?: number } {
  const chat_id = /^-?\d+$/.test(to.chatId) ? Number(to.chatId) : to.chatId;
  return to.threadId ? { chat_id, message_thread_id: Number(to.threadId) } : { chat_id };
}

/**
 * Sends content in HTML parse mode. A picture carries the text as its caption when it fits;
 * otherwise the text follows as its own message (with the buttons), and the photo is recorded in
 * `parts` as soon as it is sent, so that a retry after the text failed sends the text alone. A
 * file_id Telegram no longer accepts falls back to the text alone, so that the message is never
 * lost to its picture.
 */
export async function sendContent(api: Api, to: ChatAddress, c: TelegramContent): Promise<SentContent> {
  const { chat_id, ...where } = target(to);
  const reply_markup = inlineKeyboard(c.buttons);
  const reply = c.replyTo !== undefined ? { reply_parameters: { message_id: c.replyTo, allow_sending_without_reply: true } } : {};
  const sendText = async () => {
    const html = toTelegramHtml(truncateRich(c.text, TELEGRAM_TEXT_MAX));
    return { message: await api.sendMessage(chat_id, html, { ...where, ...reply, parse_mode: 'HTML', reply_markup, link_preview_options: { is_disabled: true } }) };
  };
  if (c.photo === undefined) return sendText();
  const photo = typeof c.photo === 'string' ? c.photo : new InputFile(c.photo, c.fileName ?? 'chart.png');
  const fits = visibleLength(c.text) <= TELEGRAM_CAPTION_MAX;
  if (!fits && (await c.parts?.sent())?.has(PHOTO_PART)) return sendText();
  let sent: Message.PhotoMessage;
  try {
    sent = await api.sendPhoto(chat_id, photo, fits ? { ...where, ...reply, caption: toTelegramHtml(c.text), parse_mode: 'HTML', reply_markup } : { ...where, ...reply });
  } catch (err) {
    if (typeof c.photo === 'string' && isStaleFileRef(err)) return sendText();
    throw err;
  }
  const photoFileId = typeof c.photo === 'string' ? undefined : sent.photo[sent.photo.length - 1]?.file_id;
  if (fits) return { message: sent, photoFileId };
  await c.parts?.record(PHOTO_PART);
  return { ...(await sendText()), photoFileId };
}
