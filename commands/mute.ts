import { z } from 'zod';
import { MUTE_LIMITS } from '../src/engine/services/subscriptions.js';
import { OFF, argSchemas, bold, defineCommand, rangeNumber, reply, rich } from './framework.js';
import { PAIR_ARG } from './args.js';
import { exactDuration, shortTime } from './format.js';

/** `mute DURATION [PAIR]` and `mute off [PAIR]` */
export const muteCommand = defineCommand({
  name: 'mute',
  description: 'Pause your alerts for a while (all pairs, or one); "mute off" ends it',
  args: [
    { name: 'duration', kind: 'duration', label: 'DURATION|off', off: true, required: true, description: 'how long, e.g. 30m, 2h, 1d; or off' },
    { ...PAIR_ARG, required: false, description: 'only this pair (default: all)' },
  ],
  schema: z.object({
    duration: z.union([z.literal(OFF), rangeNumber(MUTE_LIMITS.minMs, MUTE_LIMITS.maxMs, '', exactDuration)]),
    pair: argSchemas.pair.optional(),
  }),
  cost: 'light',
  examples: ['mute 2h', 'mute 30m BTC/USDT', 'mute off'],
  async handler(args, ctx) {
    const actor = { chat: ctx.actor.chat, userId: ctx.actor.userId };
    const what = args.pair ? `${args.pair} alerts` : 'your alerts';
    if (args.duration === OFF) {
      await ctx.services.subscriptions.unmute(actor, args.pair);
      return reply(`Unmuted ${what}.`);
    }
    const { until } = await ctx.services.subscriptions.mute(actor, args.duration, args.pair);
    return reply(rich(`Muted ${what} until `, bold(shortTime(until)), ` (${exactDuration(args.duration)}). End it early with /mute off.`));
  },
});
