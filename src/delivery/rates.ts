import type { Rate } from '../engine/ports/queue.js';
import type { ChatAddress } from '../engine/ports/store.js';

/** A platform's published sending limits, kept below so that we are never throttled. */
export interface PlatformRates {
  /** Messages per period across the whole bot: the deliver queue's limiter. */
  overall?: Rate | undefined;
  /** Per chat (Telegram chat, Discord channel). */
  perChat?: Rate | undefined;
  /** Extra limit for group chats and channels. */
  perGroup?: Rate | undefined;
}

/**
 * Telegram: about 30 messages a second overall, 1 a second in one chat, 20 a minute in one group
 * (Bot API FAQ). Discord: 50 requests a second globally, 5 per 5 seconds per channel for
 * message creation (its rate-limit headers).
 */
export const PLATFORM_RATES: Readonly<Record<string, PlatformRates>> = {
  telegram: {
    overall: { max: 30, perMs: 1_000 },
    perChat: { max: 1, perMs: 1_000 },
    perGroup: { max: 20, perMs: 60_000 },
  },
  discord: {
    overall: { max: 50, perMs: 1_000 },
    perChat: { max: 5, perMs: 5_000 },
  },
};

/** The per-chat limits a message to `to` must respect, each with its limiter key. */
export function chatLimits(rates: PlatformRates | undefined, to: ChatAddress): { key: string; rate: Rate }[] {
  const out: { key: string; rate: Rate }[] = [];
  if (!rates) return out;
  const chat = `${to.platform}:${to.chatId}`;
  if (rates.perChat) out.push({ key: `${chat}:chat`, rate: rates.perChat });
  if (rates.perGroup && to.chatType !== undefined && to.chatType !== 'private') out.push({ key: `${chat}:group`, rate: rates.perGroup });
  return out;
}
