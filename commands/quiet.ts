import { z } from 'zod';
import { OFF, argSchemas, bold, defineCommand, reply, rich } from './framework.js';

/** Time zone when none is given. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** `quiet HH:MM-HH:MM [TZ]` and `quiet off` */
export const quietCommand = defineCommand({
  name: 'quiet',
  description: 'Set daily quiet hours: only high-severity alerts get through',
  args: [
    { name: 'hours', kind: 'time-window', label: 'HH:MM-HH:MM|off', required: true, description: 'e.g. 22:00-07:00, or off' },
    { name: 'timezone', kind: 'timezone', label: 'TZ', description: `an IANA time zone such as Europe/Paris (default ${DEFAULT_TIME_ZONE})` },
  ],
  schema: z.object({ hours: argSchemas.timeWindow, timezone: z.string().default(DEFAULT_TIME_ZONE) }),
  cost: 'light',
  examples: ['quiet 22:00-07:00 Europe/Paris', 'quiet 23:30-06:00', 'quiet off'],
  async handler(args, ctx) {
    const actor = { chat: ctx.actor.chat, userId: ctx.actor.userId };
    if (args.hours === OFF) {
      await ctx.services.subscriptions.setQuietHours(actor, null);
      return reply('Quiet hours off: every alert gets through.');
    }
    const subs = await ctx.services.subscriptions.setQuietHours(actor, { ...args.hours, timeZone: args.timezone });
    const q = subs[0]?.quiet ?? { ...args.hours, timeZone: args.timezone };
    return reply(rich('Quiet hours ', bold(`${q.start}-${q.end} ${q.timeZone}`), ': only high-severity alerts (a big move with a very rare score) get through.'));
  },
});
