import { z } from 'zod';
import { bold, defineCommand, lines, reply, rich, code, type Span } from './framework.js';
import { subscriptionLine } from './format.js';

/** `list`: my watches and this chat's feeds, each with how close it is to firing. */
export const listCommand = defineCommand({
  name: 'list',
  description: 'Show what you watch and how close each pair is to alerting',
  args: [],
  schema: z.object({}),
  cost: 'light',
  examples: ['list'],
  async handler(_args, ctx) {
    const { watches, feeds } = await ctx.services.subscriptions.list({ chat: ctx.actor.chat, userId: ctx.actor.userId });
    if (watches.length === 0 && feeds.length === 0) {
      return reply(rich('You watch nothing yet. Start with ', code('/watch BTC/USDT'), '.'));
    }
    const now = ctx.clock.now();
    const near = ctx.services.proximity;
    const line = (s: (typeof watches)[number]): Span[] => rich('• ', subscriptionLine(s, now, near?.proximity(s.symbol, s.venue, s.thresholds)));
    const out: (Span[] | string)[] = [];
    if (watches.length) out.push(rich(bold(`Your watches (${watches.length})`)), ...watches.map(line));
    if (feeds.length) out.push(rich(bold(`Feeds in this chat (${feeds.length})`)), ...feeds.map(line));
    return reply(lines(...out));
  },
});
