import { z } from 'zod';
import { argSchemas, defineCommand, reply } from './framework.js';
import { PAIR_ARG } from './args.js';
import { CHANNEL_ARG, feedTarget } from './feed.js';

/** `unfeed [#channel] [PAIR...]`: stops a channel's feed, of some pairs or all. */
export const unfeedCommand = defineCommand({
  name: 'unfeed',
  description: 'Stop a channel feed, of some pairs or all (admins)',
  args: [CHANNEL_ARG, { ...PAIR_ARG, name: 'pairs', required: false, many: true, description: 'only these pairs (default: all)' }],
  schema: z.object({ channel: z.string().optional(), pairs: argSchemas.pairs.optional() }),
  adminOnly: true,
  cost: 'light',
  examples: ['unfeed', 'unfeed BTC/USDT', 'unfeed #alerts'],
  async handler(args, ctx) {
    const chat = await feedTarget(args.channel, ctx);
    const n = await ctx.services.subscriptions.unfeed(chat, args.pairs?.length ? args.pairs : undefined);
    return reply(`Feed stopped in ${args.channel ?? 'this chat'} (${n} pair${n === 1 ? '' : 's'}).`);
  },
});
