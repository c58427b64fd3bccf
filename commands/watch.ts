import { argSchemas, code, defineCommand, reply, rich } from './framework.js';
import { DIRECTION_ARG, PAIR_ARG, THRESHOLD_ARG, VENUE_ARG, WINDOW_ARG, optionalThresholdSchema, pairSchema, thresholdChanges } from './args.js';
import { describeThresholds, subjectOf } from './format.js';

/** `watch PAIR [venue] [threshold%] [window] [up|down|both] [low|normal|high]` */
export const watchCommand = defineCommand({
  name: 'watch',
  description: 'Alert me when a pair moves unusually',
  args: [
    PAIR_ARG,
    VENUE_ARG,
    THRESHOLD_ARG,
    WINDOW_ARG,
    DIRECTION_ARG,
    { name: 'sensitivity', kind: 'sensitivity', description: 'preset to start from: low, normal or high' },
  ],
  schema: optionalThresholdSchema.extend({ ...pairSchema, sensitivity: argSchemas.sensitivity.optional() }),
  cost: 'light',
  examples: ['watch BTC/USDT', 'watch BTC/USDT 3% 5m up', 'watch ETH/USDT binance high'],
  async handler(args, ctx) {
    const sub = await ctx.services.subscriptions.watch(
      { chat: ctx.actor.chat, userId: ctx.actor.userId },
      { symbol: args.pair, venue: args.venue, sensitivity: args.sensitivity, thresholds: thresholdChanges(args) },
    );
    return reply(
      rich('Watching ', subjectOf(sub), `: ${describeThresholds(sub.thresholds)}`, sub.sensitivity ? ` (${sub.sensitivity})` : '', '.\nStop with ', code(`/unwatch ${sub.symbol}`), ', change with ', code(`/set ${sub.symbol} ...`), '.'),
    );
  },
});
