import { z } from 'zod';
import { UserError } from '../src/engine/index.js';
import type { ChatAddress } from '../src/engine/ports/store.js';
import type { CommandContext } from './framework.js';
import { argSchemas, bold, defineCommand, reply, rich, type ArgSpec } from './framework.js';
import { PAIR_ARG } from './args.js';

export const CHANNEL_ARG: ArgSpec = { name: 'channel', kind: 'channel', label: '#channel', description: 'the channel (default: this chat or topic)' };

/** The chat a feed command acts on: the named channel (checked by the adapter) or this chat. */
export async function feedTarget(channel: string | undefined, ctx: CommandContext): Promise<ChatAddress> {
  if (channel === undefined) return ctx.actor.chat;
  if (!ctx.resolveChannel) throw new UserError('bad_input', `on ${ctx.platform}, run this command in the chat or topic that should get the feed, without naming a channel`);
  return ctx.resolveChannel(channel);
}

/** `feed [#channel] PAIR...`: a channel-wide alert feed; for people who may manage the channel. */
export const feedCommand = defineCommand({
  name: 'feed',
  description: 'Post alerts of some pairs to a whole channel (admins)',
  args: [CHANNEL_ARG, { ...PAIR_ARG, name: 'pairs', many: true, description: 'the pairs, e.g. BTC/USDT ETH/USDT' }],
  schema: z.object({ channel: z.string().optional(), pairs: argSchemas.pairs.min(1) }),
  adminOnly: true,
  cost: 'light',
  examples: ['feed BTC/USDT ETH/USDT', 'feed #alerts BTC/USDT'],
  async handler(args, ctx) {
    const chat = await feedTarget(args.channel, ctx);
    const subs = await ctx.services.subscriptions.feed({ chat, userId: ctx.actor.userId }, args.pairs);
    const where = args.channel ?? 'this chat';
    return reply(rich(`Feed started in ${where}: `, bold(subs.map((s) => s.symbol).join(', ')), '. Stop it with /unfeed.'));
  },
});
