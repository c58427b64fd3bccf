import { z } from 'zod';
import { formatPct } from '../src/engine/index.js';
import { bold, defineCommand, lines, reply, rich, type Span } from './framework.js';
import { ago, shortTime } from './format.js';

/** Stale feeds named one by one; more are counted. */
export const STATUS_LISTED = 8;

/** `status`: feeds live or stale, delivery queue depth, the last alert. */
export const statusCommand = defineCommand({
  name: 'status',
  description: 'Show whether the feeds are live, the delivery queue and the last alert',
  args: [],
  schema: z.object({}),
  cost: 'light',
  examples: ['status'],
  async handler(_args, ctx) {
    const s = await ctx.services.status.status();
    const now = ctx.clock.now();
    const byStatus = new Map<string, number>();
    for (const f of s.feeds) byStatus.set(f.status, (byStatus.get(f.status) ?? 0) + 1);
    const counts = [...byStatus].map(([k, n]) => `${n} ${k}`).join(', ') || 'none yet';
    const out: (string | Span[])[] = [rich(bold('Feeds: '), counts)];
    const troubled = s.feeds.filter((f) => f.status !== 'live');
    for (const f of troubled.slice(0, STATUS_LISTED)) {
      out.push(`• ${f.venue} ${f.symbol}: ${f.status} since ${shortTime(f.since)}${f.lastTradeTs !== undefined ? `, last trade ${ago(f.lastTradeTs, now)}` : ''}`);
    }
    if (troubled.length > STATUS_LISTED) out.push(`• ...and ${troubled.length - STATUS_LISTED} more`);
    if (s.queueDepth !== undefined) out.push(rich(bold('Deliveries waiting: '), String(s.queueDepth)));
    out.push(
      s.lastAlert
        ? rich(bold('Last alert: '), `${s.lastAlert.symbol} ${formatPct(s.lastAlert.change.pct)} on ${s.lastAlert.venue}, ${ago(s.lastAlert.ts, now)}`)
        : rich(bold('Last alert: '), 'none yet'),
    );
    if (s.store) out.push(rich(bold('Store: '), s.store));
    if (s.startedAt !== undefined) out.push(rich(bold('Up since: '), shortTime(s.startedAt)));
    return reply(lines(...out));
  },
});
