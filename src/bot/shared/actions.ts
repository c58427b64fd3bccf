import { chartReply } from '../../../commands/chart.js';
import { exactDuration, shortTime } from '../../../commands/format.js';
import { decodeAction, errorReply, plainText, type ButtonAction, type CommandContext, type CommandLimiter, type Reply } from '../../../commands/framework.js';
import { UserError } from '../../engine/core/errors.js';
import type { AlertEvent } from '../../engine/core/types.js';
import { BUTTON_CHART_RANGE, SNOOZE_MS } from './alert-message.js';

/** What a button press answers: a short notice for the presser, and sometimes a new message. */
export interface ActionOutcome {
  /** Shown to the presser only (Telegram answerCallbackQuery text, Discord ephemeral reply). */
  toast: string;
  /** Show the toast as a dialog the user must dismiss (refusals), rather than a passing notice. */
  alert?: boolean | undefined;
  /** Posted in the chat (the Chart button). */
  reply?: Reply | undefined;
}

/** Platforms cap notice length (Telegram: 200 characters). */
export const TOAST_MAX = 200;

/**
 * Runs a button press. Never throws: a refusal (not yours, too old, rate limited) becomes a toast
 * that says why, an unexpected failure a short apology (and `ctx.log`).
 */
export async function executeAction(data: string, ctx: CommandContext, limiter?: CommandLimiter): Promise<ActionOutcome> {
  const action = decodeAction(data);
  if (!action) return { toast: 'This button is from an older version; use the commands instead.', alert: true };
  try {
    if (limiter) {
      const wait = limiter.take(`${ctx.platform}:${ctx.actor.userId}`, action.type === 'chart' ? 'render' : 'light', ctx.clock.now());
      if (wait > 0) throw new UserError('rate_limited', `slow down: try again in ${Math.ceil(wait / 1000)} s`);
    }
    return await run(action, ctx);
  } catch (err) {
    if (!(err instanceof UserError)) ctx.log?.(err, `button ${action.type}`);
    return { toast: clip(plainText(errorReply(err).text)), alert: true };
  }
}

async function run(action: ButtonAction, ctx: CommandContext): Promise<ActionOutcome> {
  const s = ctx.services;
  const actor = { chat: ctx.actor.chat, userId: ctx.actor.userId };
  if (action.type === 'vote_up' || action.type === 'vote_down') {
    const t = await s.alerts.vote(action.alertId, `${ctx.platform}:${ctx.actor.userId}`, action.type === 'vote_up' ? 1 : -1);
    return { toast: `Thanks for the feedback (👍 ${t.up} · 👎 ${t.down})` };
  }
  const alert = await alertOf(action, ctx);
  if (action.type === 'chart') {
    return { toast: `Drawing ${alert.symbol}, last ${BUTTON_CHART_RANGE}`, reply: await chartReply(s, alert.symbol, BUTTON_CHART_RANGE) };
  }
  const { watches, feeds } = await s.subscriptions.list(actor);
  const feedHere = !watches.some((w) => w.symbol === alert.symbol) && feeds.some((f) => f.symbol === alert.symbol);
  // A feed belongs to the chat: only someone who may manage it can snooze or stop it.
  if (feedHere && !(await ctx.actor.isAdmin())) {
    throw new UserError('forbidden', `this is a channel feed of ${alert.symbol}; only the chat's admins can change it`);
  }
  if (action.type === 'snooze') {
    const { until } = feedHere ? await s.subscriptions.muteFeeds(ctx.actor.chat, SNOOZE_MS, alert.symbol) : await s.subscriptions.mute(actor, SNOOZE_MS, alert.symbol);
    return { toast: `${alert.symbol} snoozed for ${exactDuration(SNOOZE_MS)}, until ${shortTime(until)}` };
  }
  if (feedHere) {
    await s.subscriptions.unfeed(ctx.actor.chat, [alert.symbol]);
    return { toast: `Feed of ${alert.symbol} stopped in this chat` };
  }
  await s.subscriptions.unwatch(actor, alert.symbol);
  return { toast: `You no longer watch ${alert.symbol}` };
}

async function alertOf(action: ButtonAction, ctx: CommandContext): Promise<AlertEvent> {
  const a = await ctx.services.alerts.get(action.alertId);
  if (!a) throw new UserError('not_found', 'that alert is too old for its buttons; use the commands instead');
  return a;
}

function clip(s: string): string {
  return s.length <= TOAST_MAX ? s : `${s.slice(0, TOAST_MAX - 1)}…`;
}
