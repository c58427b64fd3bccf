import { z } from 'zod';
import { UserError } from '../src/engine/index.js';
import { bold, defineCommand, reply, resolvePair, rich, type CommandServices, type Reply } from './framework.js';
import { PAIR_ARG, VENUE_ARG, pairSchema } from './args.js';
import { chartFileName } from './format.js';

/** The ranges a chart may span (the renderer draws each; see src/render CHART_RANGES). */
export const CHART_RANGE_CHOICES = ['15m', '1h', '4h', '24h', '7d'] as const;
export const DEFAULT_CHART_RANGE = '1h';

/** Draws the chart reply of a pair over a range: shared by `chart` and the Chart 24h button. */
export async function chartReply(services: Pick<CommandServices, 'charts' | 'symbols'>, input: string, range: string, venue?: string): Promise<Reply> {
  const symbol = await resolvePair(services.symbols, input, venue);
  const png = await services.charts.rangeChart(symbol, range, venue);
  if (!png) throw new UserError('not_found', `no price data for ${symbol}${venue ? ` on ${venue}` : ''} in the last ${range} yet`, { symbol, range });
  return reply(rich(bold(symbol), `${venue ? ` on ${venue}` : ''}, last ${range}`), { chart: { png, fileName: chartFileName(symbol, range) } });
}

/** `chart PAIR [range] [venue]` */
export const chartCommand = defineCommand({
  name: 'chart',
  description: 'Draw a price chart of a pair',
  args: [PAIR_ARG, { name: 'range', kind: 'range', choices: CHART_RANGE_CHOICES, description: `how far back (default ${DEFAULT_CHART_RANGE})` }, VENUE_ARG],
  schema: z.object({ ...pairSchema, range: z.enum(CHART_RANGE_CHOICES).default(DEFAULT_CHART_RANGE) }),
  cost: 'render',
  examples: ['chart BTC/USDT', 'chart ETH/USDT 24h', 'chart SOL/USDT 4h binance'],
  handler: (args, ctx) => chartReply(ctx.services, args.pair, args.range, args.venue),
});
