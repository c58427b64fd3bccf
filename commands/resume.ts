import { z } from 'zod';
import { bold, defineCommand, reply, rich } from './framework.js';

/** `resume`: restarts alerts that stopped because the bot could not reach this chat. */
export const resumeCommand = defineCommand({
  name: 'resume',
  description: 'Restart alerts that were paused because the bot could not reach you',
  args: [],
  schema: z.object({}),
  cost: 'light',
  examples: ['resume'],
  async handler(_args, ctx) {
    const subs = await ctx.services.subscriptions.resume({ chat: ctx.actor.chat, userId: ctx.actor.userId });
    if (subs.length === 0) return reply('Nothing was paused.');
    return reply(rich('Resumed ', bold([...new Set(subs.map((s) => s.symbol))].join(', ')), '.'));
  },
});
