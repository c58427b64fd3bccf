import { Routes, type REST, type RESTPostAPICurrentUserCreateDMChannelResult } from 'discord.js';
import type { Clock } from '../../engine/ports/clock.js';
import type { ChatAddress, Subscription, SubscriptionStore } from '../../engine/ports/store.js';
import { clip, DISCORD_LIMITS, escapeText } from './message.js';

/** A channel's owners are told about its pause once in this period, however many deliveries fail. */
export const PAUSE_NOTICE_REPEAT_MS = 6 * 3_600_000;
/** Channels remembered for that; older entries are dropped first. */
const REMEMBERED_CHANNELS = 10_000;

export interface PauseNoticesDeps {
  rest: REST;
  subscriptions: Pick<SubscriptionStore, 'subscriptionsInChat'>;
  clock: Clock;
}

/**
 * Tells the people who set up a channel's feeds and watches, by direct message, that the bot can
 * no longer post there and what to do. A user who does not accept DMs learns it from `list`
 * (paused subscriptions say why) when they next talk to the bot.
 */
export class PauseNotices {
  private readonly told = new Map<string, number>();

  constructor(private readonly deps: PauseNoticesDeps) {}

  async tell(to: ChatAddress, reason: string): Promise<string[]> {
    // A DM that fails cannot be answered by another DM to the same person.
    if (to.chatType === 'private') return [];
    const now = this.deps.clock.now();
    const last = this.told.get(to.chatId);
    if (last !== undefined && now - last < PAUSE_NOTICE_REPEAT_MS) return [];
    this.remember(to.chatId, now);
    const subs = await this.deps.subscriptions.subscriptionsInChat(to.platform, to.chatId);
    const byOwner = new Map<string, Subscription[]>();
    for (const s of subs) {
      const l = byOwner.get(s.userId);
      if (l) l.push(s);
      else byOwner.set(s.userId, [s]);
    }
    const told: string[] = [];
    for (const [userId, own] of byOwner) {
      await this.dm(userId, noticeText(to.chatId, reason, own));
      told.push(userId);
    }
    return told;
  }

  private remember(chatId: string, now: number): void {
    this.told.delete(chatId);
    this.told.set(chatId, now);
    if (this.told.size > REMEMBERED_CHANNELS) this.told.delete(this.told.keys().next().value as string);
  }

  private async dm(userId: string, content: string): Promise<void> {
    const channel = (await this.deps.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as RESTPostAPICurrentUserCreateDMChannelResult;
    await this.deps.rest.post(Routes.channelMessages(channel.id), { body: { content, allowed_mentions: { parse: [] } } });
  }
}

/** `⚠️ I can no longer post in #alerts: ... Paused: BTC/USDT (feed), ETH/USDT (your watch). ...` */
export function noticeText(channelId: string, reason: string, subs: readonly Subscription[]): string {
  const why = reason.replace(/^discord \d+: /, '');
  const what = [...new Set(subs.map((s) => `${s.symbol} (${s.kind === 'feed' ? 'feed' : 'your watch'})`))].join(', ');
  return clip(
    `⚠️ I can no longer post in <#${channelId}>: ${escapeText(why)}.\nPaused there: ${escapeText(what)}.\n` +
      'Give me View Channel, Send Messages, Embed Links and Attach Files in that channel, then run `/resume` there.',
    DISCORD_LIMITS.content,
  );
}
