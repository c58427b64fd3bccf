import { z } from 'zod';
import { defineCommand, reply, rich, bold } from './framework.js';
import { PAIR_ARG, VENUE_ARG, pairSchema } from './args.js';

/** `unwatch PAIR [venue]` */
export const unwatchCommand = defineCommand({
  name: 'unwatch',
  description: 'Stop watching a pair',
  args: [PAIR_ARG, VENUE_ARG],
  schema: z.object(pairSchema),
  cost: 'light',
  examples: ['unwatch BTC/USDT', 'unwatch ETH/USDT binance'],
  async handler(args, ctx) {
    const gone = await ctx.services.subscriptions.unwatch({ chat: ctx.actor.chat, userId: ctx.actor.userId }, args.pair, args.venue);
    const venues = gone.map((s) => s.venue ?? 'any venue');
    return reply(rich('Stopped watching ', bold(gone[0]?.symbol ?? args.pair), ` (${venues.join(', ')}).`));
  },
});
