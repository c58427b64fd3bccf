import { z } from 'zod';
import { UserError, formatPrice } from '../src/engine/index.js';
import { bold, code, defineCommand, lines, reply, resolvePair, rich } from './framework.js';
import { PAIR_ARG, VENUE_ARG, pairSchema } from './args.js';
import { ago } from './format.js';

/** `price PAIR [venue]`: the composite and every venue's last price. */
export const priceCommand = defineCommand({
  name: 'price',
  description: 'Show the current price of a pair, across venues and per venue',
  args: [PAIR_ARG, VENUE_ARG],
  schema: z.object(pairSchema),
  cost: 'light',
  examples: ['price BTC/USDT', 'price ETH/USDT kraken'],
  async handler(args, ctx) {
    const symbol = await resolvePair(ctx.services.symbols, args.pair, args.venue);
    const q = await ctx.services.prices.price(symbol, args.venue);
    if (!q || q.venues.length === 0) throw new UserError('not_found', `no price for ${symbol}${args.venue ? ` on ${args.venue}` : ''} yet: its feeds have not traded since the start`, { symbol });
    const now = ctx.clock.now();
    const head =
      q.composite !== undefined && !args.venue
        ? rich(bold(symbol), ' ', code(formatPrice(q.composite)), ` (median of ${q.venues.filter((v) => v.status !== 'stale').length} fresh venues)`)
        : rich(bold(symbol));
    const rows = q.venues.map((v) => rich(`• ${v.venue} `, code(formatPrice(v.price)), ` ${ago(v.ts, now)}${v.status && v.status !== 'live' ? ` (${v.status})` : ''}`));
    return reply(lines(head, ...rows));
  },
});
