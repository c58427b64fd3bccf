import { executeCommand, italic, lines, type AnyCommand, type CommandContext, type CommandInput, type CommandLimiter, type Reply } from '../../../commands/framework.js';

/**
 * executeCommand, plus a reminder when some of the asker's alerts are paused (the bot could not
 * reach them, e.g. they had blocked it): the first thing they do on coming back tells them how to
 * get their alerts again.
 */
export async function runCommand(def: AnyCommand, input: CommandInput, ctx: CommandContext, limiter?: CommandLimiter): Promise<Reply> {
  const r = await executeCommand(def, input, ctx, limiter);
  if (r.error || def.name === 'resume') return r;
  try {
    const paused = await ctx.services.subscriptions.pausedFor({ chat: ctx.actor.chat, userId: ctx.actor.userId });
    if (paused.length === 0) return r;
    const pairs = [...new Set(paused.map((s) => s.symbol))].join(', ');
    const reason = paused[0]?.paused?.reason ?? 'unreachable';
    return { ...r, text: lines(r.text, '', italic(`Alerts for ${pairs} are paused (${reason}). Send /resume to get them again.`)) };
  } catch (err) {
    ctx.log?.(err, 'paused reminder');
    return r;
  }
}
