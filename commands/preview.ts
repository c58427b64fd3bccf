import { z } from 'zod';
import { SENSITIVITY_PRESETS, UserError, formatDuration } from '../src/engine/index.js';
import { bold, defineCommand, lines, reply, resolvePair, rich } from './framework.js';
import { DIRECTION_ARG, PAIR_ARG, THRESHOLD_ARG, VENUE_ARG, WINDOW_ARG, optionalThresholdSchema, pairSchema, thresholdChanges } from './args.js';
import { alertLine, chartFileName, describeThresholds } from './format.js';

/** How far back a preview replays. */
export const PREVIEW_SPAN_MS = 24 * 3_600_000;
/** Alerts listed one by one in a preview (the count covers all). */
export const PREVIEW_LISTED = 5;

/** `preview PAIR [threshold%] [window] [up|down|both] [venue]`: "would have fired N times in the last 24 h". */
export const previewCommand = defineCommand({
  name: 'preview',
  description: 'How often thresholds would have alerted in the last 24 hours',
  args: [PAIR_ARG, THRESHOLD_ARG, WINDOW_ARG, DIRECTION_ARG, VENUE_ARG],
  schema: optionalThresholdSchema.extend(pairSchema),
  cost: 'render',
  examples: ['preview BTC/USDT', 'preview BTC/USDT 2%', 'preview ETH/USDT 1% 10m down binance'],
  async handler(args, ctx) {
    const symbol = await resolvePair(ctx.services.symbols, args.pair, args.venue);
    // Start from the user's own watch of the pair when there is one, else the normal preset.
    const { watches } = await ctx.services.subscriptions.list({ chat: ctx.actor.chat, userId: ctx.actor.userId });
    const mine = watches.find((s) => s.symbol === symbol && (args.venue === undefined || s.venue === args.venue));
    const thresholds = { ...(mine?.thresholds ?? SENSITIVITY_PRESETS.normal), ...thresholdChanges(args) };
    const r = await ctx.services.preview.preview(symbol, thresholds, PREVIEW_SPAN_MS, args.venue);
    if (!r || r.spanMs <= 0) throw new UserError('not_found', `no stored bars for ${symbol}${args.venue ? ` on ${args.venue}` : ''} yet: try again once its feed has run a while`, { symbol });
    const n = r.alerts.length;
    const head = rich(
      'With ',
      bold(describeThresholds(thresholds)),
      ', ',
      bold(symbol),
      ' would have fired ',
      bold(`${n} time${n === 1 ? '' : 's'}`),
      ` in the last ${formatDuration(r.spanMs)}.`,
    );
    const shown = r.alerts.slice(-PREVIEW_LISTED).reverse();
    const more = n > shown.length ? [`...and ${n - shown.length} earlier`] : [];
    return reply(lines(head, ...shown.map(alertLine), ...more), r.chart ? { chart: { png: r.chart, fileName: chartFileName(symbol, 'preview') } } : {});
  },
});
