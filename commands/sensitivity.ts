import { z } from 'zod';
import { SENSITIVITY_PRESETS } from '../src/engine/index.js';
import { argSchemas, bold, defineCommand, reply, rich } from './framework.js';
import { PAIR_ARG } from './args.js';
import { describeThresholds } from './format.js';

/** `sensitivity low|normal|high [PAIR]`: resets thresholds to a preset. */
export const sensitivityCommand = defineCommand({
  name: 'sensitivity',
  description: 'Reset thresholds to a preset: low, normal or high (one pair, or all)',
  args: [
    { name: 'level', kind: 'sensitivity', description: 'low (fewer alerts), normal or high (more alerts)', required: true },
    { ...PAIR_ARG, required: false, description: 'only this pair (default: every pair you watch here)' },
  ],
  schema: z.object({ level: argSchemas.sensitivity, pair: argSchemas.pair.optional() }),
  cost: 'light',
  examples: ['sensitivity high', 'sensitivity low BTC/USDT'],
  async handler(args, ctx) {
    const subs = await ctx.services.subscriptions.setSensitivity({ chat: ctx.actor.chat, userId: ctx.actor.userId }, args.level, args.pair);
    const pairs = [...new Set(subs.map((s) => s.symbol))];
    return reply(
      rich('Sensitivity ', bold(args.level), ` for ${pairs.join(', ')}: ${describeThresholds({ ...SENSITIVITY_PRESETS[args.level] })}.`),
    );
  },
});
