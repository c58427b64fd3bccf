import { z } from 'zod';
import { HISTORY_MAX } from '../src/engine/services/alerts.js';
import { bold, defineCommand, lines, rangeNumber, reply, resolvePair, rich } from './framework.js';
import { PAIR_ARG, VENUE_ARG, pairSchema } from './args.js';
import { alertLine } from './format.js';

/** Alerts shown when no count is given. */
export const HISTORY_DEFAULT = 10;

/** `history PAIR [venue] [count]` */
export const historyCommand = defineCommand({
  name: 'history',
  description: 'Show the recent alerts of a pair',
  args: [PAIR_ARG, VENUE_ARG, { name: 'count', kind: 'integer', description: `how many (default ${HISTORY_DEFAULT}, at most ${HISTORY_MAX})` }],
  schema: z.object({ ...pairSchema, count: rangeNumber(1, HISTORY_MAX).int().default(HISTORY_DEFAULT) }),
  cost: 'light',
  examples: ['history BTC/USDT', 'history ETH/USDT binance 20'],
  async handler(args, ctx) {
    const symbol = await resolvePair(ctx.services.symbols, args.pair, args.venue);
    const alerts = await ctx.services.alerts.history(symbol, args.count, args.venue);
    if (alerts.length === 0) return reply(rich('No alerts for ', bold(symbol), args.venue ? ` on ${args.venue}` : '', ' in the stored history.'));
    return reply(lines(rich(bold(`Last ${alerts.length} alert${alerts.length === 1 ? '' : 's'} of ${symbol}`)), ...alerts.map(alertLine)));
  },
});
