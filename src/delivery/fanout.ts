import { DIVERGENCE } from '../engine/composite/divergence.js';
import type { AlertEvent } from '../engine/core/types.js';
import type { ChatAddress, Subscription, Thresholds } from '../engine/ports/store.js';
import type { QuietHoursClock } from '../engine/services/quiet-hours.js';
import { subscriptionRule } from '../engine/services/rule-source.js';
import { destinationKey } from './address.js';

/**
 * An operator's own destination from config (a webhook, a mailbox, the console): it gets every
 * alert of its symbols that satisfies its thresholds, without any subscription in the store.
 */
export interface StaticRoute {
  to: ChatAddress;
  /** Only these symbols; absent: every symbol. */
  symbols?: readonly string[] | undefined;
  /** Its rule; also hand these to StoreRuleSource (`everywhere`) so that the engine evaluates it. */
  thresholds: Thresholds;
  /** Merge bursts into one message (default false: pipelines usually want every alert). */
  mergeBursts?: boolean | undefined;
}

/** When an alert is strong enough to break quiet hours: both a big move and a very rare score. */
export interface SeverityRule {
  minMovePct: number;
  minScore: number;
}

export const HIGH_SEVERITY: SeverityRule = { minMovePct: 5, minScore: 0.999 };

export function isHighSeverity(a: AlertEvent, rule: SeverityRule): boolean {
  return Math.abs(a.change.pct) >= rule.minMovePct && a.score >= rule.minScore;
}

/** One destination of one alert, with who asked for it. */
export interface Recipient {
  to: ChatAddress;
  /** Watchers to mention in shared chats (none in a private chat or for feeds). */
  mentions: string[];
  /** Subscription ids (empty for static routes). */
  subscriptions: string[];
  mergeBursts: boolean;
}

export interface FanOutContext {
  now: number;
  quiet: QuietHoursClock;
  severity: SeverityRule;
}

/**
 * Who gets an alert: subscriptions of its symbol whose rule it satisfied, on its venue or any
 * venue, not paused, not muted, outside quiet hours unless the alert is high-severity; plus the
 * matching static routes. One recipient per destination, however many subscriptions lead there.
 * Followers of the symbol on any venue (and static routes, which follow every venue) are not sent
 * an echo: another venue's alert of the same move already reached them for that rule
 * (`AlertEvent.echo`). A subscription to the alert's own venue gets it either way.
 */
export function planFanOut(alert: AlertEvent, subs: readonly Subscription[], routes: readonly StaticRoute[], ctx: FanOutContext): Recipient[] {
  const satisfied = new Set(alert.rules);
  const repeated = new Set(alert.echo?.rules);
  // A cross-venue divergence is news for everyone following the symbol, whatever their thresholds.
  const everyone = satisfied.has(DIVERGENCE);
  const high = isHighSeverity(alert, ctx.severity);
  const out = new Map<string, Recipient>();
  const ruleOf = (t: Pick<Subscription, 'thresholds' | 'sensitivity'>): string => subscriptionRule(t).id;
  for (const s of subs) {
    if (s.symbol !== alert.symbol || s.paused) continue;
    if (s.venue !== undefined && s.venue !== alert.venue) continue;
    if (!everyone) {
      const rule = ruleOf(s);
      if (!satisfied.has(rule) || (s.venue === undefined && repeated.has(rule))) continue;
    }
    if (s.mutedUntil !== undefined && ctx.now < s.mutedUntil) continue;
    if (!high && s.quiet && ctx.quiet.isQuiet(s.quiet, ctx.now)) continue;
    const key = destinationKey(s.chat);
    let r = out.get(key);
    if (!r) out.set(key, (r = { to: s.chat, mentions: [], subscriptions: [], mergeBursts: true }));
    r.subscriptions.push(s.id);
    if (s.kind === 'watch' && (s.chat.chatType ?? 'private') !== 'private' && !r.mentions.includes(s.userId)) r.mentions.push(s.userId);
  }
  for (const route of routes) {
    if (route.symbols && !route.symbols.includes(alert.symbol)) continue;
    if (!everyone) {
      const rule = ruleOf({ thresholds: route.thresholds });
      if (!satisfied.has(rule) || repeated.has(rule)) continue;
    }
    const key = destinationKey(route.to);
    if (!out.has(key)) out.set(key, { to: route.to, mentions: [], subscriptions: [], mergeBursts: route.mergeBursts ?? false });
  }
  return [...out.values()];
}
