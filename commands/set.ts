import { z } from 'zod';
import { UserError } from '../src/engine/index.js';
import { defineCommand, reply, rich } from './framework.js';
import { DIRECTION_ARG, PAIR_ARG, THRESHOLD_ARG, VENUE_ARG, WINDOW_ARG, pairSchema, thresholdChanges, thresholdSchemas } from './args.js';
import { describeThresholds, subjectOf } from './format.js';

/** `set PAIR [venue] [threshold%] [window] [up|down|both] [score=0.99] [cooldown=15m]` */
export const setCommand = defineCommand({
  name: 'set',
  description: 'Change the thresholds of a pair you watch',
  args: [
    PAIR_ARG,
    VENUE_ARG,
    THRESHOLD_ARG,
    WINDOW_ARG,
    DIRECTION_ARG,
    { name: 'score', kind: 'score', label: 'score=N', description: 'the anomaly score that alerts, 0.5 to 1 (e.g. score=0.995)' },
    { name: 'cooldown', kind: 'duration', label: 'cooldown=DURATION', description: 'quiet time after an alert unless the move grows (e.g. cooldown=30m)' },
  ],
  schema: z.object({
    ...pairSchema,
    threshold: thresholdSchemas.threshold.optional(),
    window: thresholdSchemas.window.optional(),
    direction: thresholdSchemas.direction.optional(),
    score: thresholdSchemas.score.optional(),
    cooldown: thresholdSchemas.cooldown.optional(),
  }),
  cost: 'light',
  examples: ['set BTC/USDT 2%', 'set BTC/USDT 1.5% 10m down', 'set ETH/USDT score=0.995 cooldown=30m'],
  async handler(args, ctx) {
    const changes = thresholdChanges(args);
    if (Object.keys(changes).length === 0) throw new UserError('bad_input', 'name at least one thing to change: threshold%, window, direction, score=... or cooldown=...');
    const subs = await ctx.services.subscriptions.setThresholds({ chat: ctx.actor.chat, userId: ctx.actor.userId }, args.pair, changes, args.venue);
    const first = subs[0];
    if (!first) throw new UserError('not_found', `you do not watch ${args.pair} here`);
    return reply(rich('Updated ', subjectOf(first), `: ${describeThresholds(first.thresholds)}.`));
  },
});
