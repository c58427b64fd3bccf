import { z } from 'zod';
import { bold, defineCommand, lines, reply, rich, code, type CommandContext, type Proximity, type Span, type Subscription } from './framework.js';
import { subscriptionLine } from './format.js';

/** `list`: my watches and this chat's feeds, each with how close it is to firing. */
export const listCommand = defineCommand({
  name: 'list',
  description: 'Show what you watch and how close each pair is to alerting',
  args: [],
  schema: z.object({}),
  cost: 'light',
  examples: ['list'],
  async handler(_args, ctx) {
    const { watches, feeds } = await ctx.services.subscriptions.list({ chat: ctx.actor.chat, userId: ctx.actor.userId });
    if (watches.length === 0 && feeds.length === 0) {
      return reply(rich('You watch nothing yet. Start with ', code('/watch BTC/USDT'), '.'));
    }
    const now = ctx.clock.now();
    const near = await closeness([...watches, ...feeds], ctx);
    const line = (s: Subscription): Span[] => rich('• ', subscriptionLine(s, now, near.get(s)));
    const out: (Span[] | string)[] = [];
    if (watches.length) out.push(rich(bold(`Your watches (${watches.length})`)), ...watches.map(line));
    if (feeds.length) out.push(rich(bold(`Feeds in this chat (${feeds.length})`)), ...feeds.map(line));
    return reply(lines(...out));
  },
});

/**
 * Closeness to firing of every subscription, asked once per distinct (pair, venue, thresholds)
 * and all at once: a watch and a feed on the same stream with the same rule share one answer.
 * A source that fails leaves the lines without closeness (and is logged) rather than failing
 * the list.
 */
async function closeness(subs: readonly Subscription[], ctx: CommandContext): Promise<Map<Subscription, Proximity | null>> {
  const out = new Map<Subscription, Proximity | null>();
  const source = ctx.services.proximity;
  if (!source) return out;
  const asked = new Map<string, Promise<Proximity | null>>();
  const ask = (s: Subscription): Promise<Proximity | null> => {
    const key = JSON.stringify([s.symbol, s.venue ?? null, s.thresholds]);
    let p = asked.get(key);
    if (!p) {
      p = (async () => source.proximity(s.symbol, s.venue, s.thresholds))().catch((err: unknown) => {
        ctx.log?.(err, `closeness of ${s.symbol}${s.venue ? ` on ${s.venue}` : ''}`);
        return null;
      });
      asked.set(key, p);
    }
    return p;
  };
  const found = await Promise.all(subs.map(ask));
  subs.forEach((s, i) => out.set(s, found[i] ?? null));
  return out;
}
