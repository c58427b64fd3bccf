import type { IncomingMessage, ServerResponse } from 'node:http';
import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Bot, GrammyError, HttpError, webhookCallback, type Context, type Transformer } from 'grammy';
import type { Chat, User } from 'grammy/types';
import { COMMANDS } from '../../../commands/index.js';
import { executeCommand, type AnyCommand, type CommandContext, type CommandLimiter, type CommandServices, type Reply } from '../../../commands/framework.js';
import { systemClock, type Clock } from '../../engine/ports/clock.js';
import type { ChatAddress, ChatType } from '../../engine/ports/store.js';
import { executeAction } from '../shared/actions.js';
import { networkCause, type OnPlatformRetry } from '../shared/retries.js';
import { CommandRateLimiter } from '../shared/rate-limit.js';
import { runCommand } from '../shared/runner.js';
import { TelegramDestination } from './destination.js';
import { sendContent } from './send.js';

export const TELEGRAM_PLATFORM = 'telegram';

/** Public Bot API; TELEGRAM_API_ROOT overrides it (a local Bot API server, or a test fake). */
export const TELEGRAM_DEFAULT_API_ROOT = 'https://api.telegram.org';

/** getUpdates long-poll timeout (seconds): how long Telegram may hold an empty poll. */
export const TELEGRAM_POLL_TIMEOUT_S = 30;
/**
 * After a getUpdates that failed (past the client's own retries), the next one is this far away,
 * always: the runner's default doubles the wait without bound and gives up after 15 hours, so
 * after a long outage commands stayed unanswered for hours, and then for good.
 */
export const TELEGRAM_POLL_RETRY_MS = 5_000;
/** Polling that stopped anyway (an error the runner cannot retry, e.g. 401 or 409) is restarted after this long, and said so each time. */
export const TELEGRAM_POLL_RESTART_MS = 30_000;

/**
 * 429s are waited out inside the client up to this long (seconds); a longer wait fails the call,
 * and delivery re-queues it with the retry-after Telegram gave, so a worker is never held for long.
 */
export const TELEGRAM_RETRY_MAX_DELAY_S = 30;
export const TELEGRAM_RETRY_MAX_ATTEMPTS = 5;

/** auto-retry's first backoff after a 5xx (seconds); it doubles at each, up to an hour. Network failures back off the same way here, up to `maxDelaySeconds`. */
const AUTO_RETRY_FIRST_BACKOFF_S = 3;
const AUTO_RETRY_MAX_BACKOFF_S = 3600;

export interface TelegramRetryOptions {
  maxDelaySeconds: number;
  maxRetryAttempts: number;
}

/** The abort signal grammY hands a transformer (its own AbortSignal type). */
type CallSignal = Parameters<Transformer>[3];

/** Waits `ms`, or rejects as soon as the call is aborted. */
function pause(ms: number, signal: CallSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new Error('the call was aborted while waiting to retry');
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * grammY's auto-retry for answered failures (a 429 whose retry_after is within `maxDelaySeconds`,
 * a 5xx, while attempts are left), and a bounded retry of calls that got no answer at all.
 *
 * Network failures are retried here, not by auto-retry: auto-retry retries them without end,
 * backing off up to an hour, so a delivery caught by a short outage stayed held by its worker
 * (its alert with it) for up to an hour after the network came back. Here they are retried at most
 * `maxRetryAttempts` times, backing off from 3 s up to `maxDelaySeconds`; past that the error
 * reaches the caller, and delivery re-queues the job with its own backoff and in-doubt record.
 *
 * Every retry is reported to `onRetry`. auto-retry has no hook, so it is handed an observed `prev`
 * that sees each underlying call and its answer and tells, by auto-retry's own rules, whether that
 * answer is retried and after what wait. Installed where auto-retry was: a transformer installed
 * before it would run once per try, one installed after it once per call.
 */
export function telegramAutoRetry(o: TelegramRetryOptions, onRetry?: OnPlatformRetry): Transformer {
  const retry = autoRetry({ maxDelaySeconds: o.maxDelaySeconds, maxRetryAttempts: o.maxRetryAttempts, rethrowHttpErrors: true });
  return async (prev, method, payload, signal) => {
    let attempt = 0;
    let networkLeft = o.maxRetryAttempts;
    let networkBackoffS = AUTO_RETRY_FIRST_BACKOFF_S;
    for (;;) {
      // auto-retry's state for one of its calls, mirrored: attempts left for answered failures, next backoff.
      let left = o.maxRetryAttempts;
      let backoffS = AUTO_RETRY_FIRST_BACKOFF_S;
      const observed: typeof prev = async (m, p, s) => {
        const res = await prev(m, p, s);
        // An answer: the network is back, so a later network failure starts its backoff afresh.
        networkBackoffS = AUTO_RETRY_FIRST_BACKOFF_S;
        if (!res.ok && onRetry) {
          const after = res.parameters?.retry_after;
          if (typeof after === 'number' && after <= o.maxDelaySeconds) {
            backoffS = AUTO_RETRY_FIRST_BACKOFF_S;
            if (left-- > 0) onRetry({ platform: 'telegram', reason: 'rate_limited', method, status: res.error_code, waitMs: after * 1000, retryAfterMs: after * 1000, attempt: ++attempt });
          } else if (res.error_code >= 500) {
            const waitS = backoffS;
            backoffS = Math.min(AUTO_RETRY_MAX_BACKOFF_S, backoffS * 2);
            if (left-- > 0) onRetry({ platform: 'telegram', reason: 'server_error', method, status: res.error_code, waitMs: waitS * 1000, attempt: ++attempt });
          }
        }
        return res;
      };
      try {
        return await retry(observed, method, payload, signal);
      } catch (err) {
        if (!(err instanceof HttpError) || signal?.aborted || networkLeft-- <= 0) throw err;
        const waitS = networkBackoffS;
        networkBackoffS = Math.min(o.maxDelaySeconds, networkBackoffS * 2);
        onRetry?.({ platform: 'telegram', reason: 'network', method, waitMs: waitS * 1000, attempt: ++attempt, cause: networkCause(err.error) });
        await pause(waitS * 1000, signal);
      }
    }
  };
}

/** What an operator can do about polling that stopped, for the answers that stop it. */
function pollStopCause(why: unknown): string {
  if (!(why instanceof GrammyError)) return '';
  if (why.error_code === 409) return ' (409: another process is polling this bot token, or a webhook was set; only one tickwatch may poll a token)';
  if (why.error_code === 401) return ' (401: Telegram refused the bot token; check TELEGRAM_BOT_TOKEN or whether it was revoked)';
  return ` (${why.error_code})`;
}

/** getChatMember answers are reused this long for the admin check. */
export const ADMIN_CACHE_MS = 60_000;
/** Admin answers and first names remembered, at most (oldest forgotten first). */
const MEMO_MAX = 10_000;

/** Telegram's own account that stands for a group's anonymous admins. */
const GROUP_ANONYMOUS_BOT_ID = 1087968824;

export interface TelegramBotOptions {
  token: string;
  apiRoot?: string | undefined;
  services: CommandServices;
  clock?: Clock | undefined;
  commands?: readonly AnyCommand[] | undefined;
  limiter?: CommandLimiter | undefined;
  pollTimeoutSeconds?: number | undefined;
  /** Wait after a failed getUpdates (default TELEGRAM_POLL_RETRY_MS). */
  pollRetryMs?: number | undefined;
  /** Wait before polling that stopped is started again (default TELEGRAM_POLL_RESTART_MS). */
  pollRestartMs?: number | undefined;
  retryMaxDelaySeconds?: number | undefined;
  retryMaxAttempts?: number | undefined;
  /** Told of every call the client retries on its own (429, 5xx, network). */
  onRetry?: OnPlatformRetry | undefined;
  /**
   * The bot was removed from a chat or a user blocked it (a my_chat_member update): pause that
   * chat's subscriptions, e.g. `(chat, reason) => subscriptions.pauseChat('telegram', chat.chatId, reason)`.
   */
  onChatGone?: ((chat: ChatAddress, reason: string) => Promise<unknown>) | undefined;
  log?: ((err: unknown, context: string) => void) | undefined;
}

/** A small map that forgets its oldest entries. */
class Memo<V> {
  private readonly m = new Map<string, V>();
  get(k: string): V | undefined {
    return this.m.get(k);
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > MEMO_MAX) this.m.delete(this.m.keys().next().value as string);
  }
}

export function chatTypeOf(chat: Chat): ChatType {
  return chat.type === 'private' ? 'private' : chat.type === 'channel' ? 'channel' : 'group';
}

/** The address of a chat, or of the forum topic a message was posted in. */
export function addressOf(chat: Chat, topicId?: number | undefined): ChatAddress {
  return { platform: TELEGRAM_PLATFORM, chatId: String(chat.id), threadId: topicId !== undefined ? String(topicId) : undefined, chatType: chatTypeOf(chat) };
}

/**
 * The Telegram bot: the shared commands as `/name args` text commands, button presses on alerts,
 * and the Destination that delivers alerts, all over one grammY client (auto-retry on 429).
 * Long polling runs on @grammyjs/runner (updates of different chats concurrently, one chat's in
 * order); webhook mode hands `webhookHandler()` to an HTTP server instead.
 */
export class TelegramBot {
  readonly bot: Bot;
  readonly destination: TelegramDestination;
  private readonly clock: Clock;
  private readonly catalog: readonly AnyCommand[];
  private readonly limiter: CommandLimiter;
  private readonly admins = new Memo<{ admin: boolean; until: number }>();
  private readonly names = new Memo<string>();
  private runner: RunnerHandle | undefined;
  private polling = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TelegramBotOptions) {
    this.clock = opts.clock ?? systemClock;
    this.catalog = opts.commands ?? COMMANDS;
    this.limiter = opts.limiter ?? new CommandRateLimiter();
    this.bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot ?? TELEGRAM_DEFAULT_API_ROOT } });
    this.bot.api.config.use(
      telegramAutoRetry(
        {
          maxDelaySeconds: opts.retryMaxDelaySeconds ?? TELEGRAM_RETRY_MAX_DELAY_S,
          maxRetryAttempts: opts.retryMaxAttempts ?? TELEGRAM_RETRY_MAX_ATTEMPTS,
        },
        opts.onRetry,
      ),
    );
    this.destination = new TelegramDestination(this.bot.api, { clock: this.clock, mentionLabel: (id) => this.names.get(id) ?? 'watcher' });
    this.install();
  }

  /** Long polling. Resolves once the bot knows itself (getMe) and polling has begun. */
  async startPolling(): Promise<void> {
    if (this.runner?.isRunning()) return;
    // A webhook left set would make getUpdates fail (409 Conflict).
    await this.bot.api.deleteWebhook();
    await this.bot.init();
    this.polling = true;
    this.poll();
  }

  /** Starts the runner and watches it: polling never stops without a word while it should run. */
  private poll(): void {
    const runner = run(this.bot, {
      runner: {
        fetch: { timeout: this.opts.pollTimeoutSeconds ?? TELEGRAM_POLL_TIMEOUT_S },
        retryInterval: this.opts.pollRetryMs ?? TELEGRAM_POLL_RETRY_MS,
        maxRetryTime: Number.POSITIVE_INFINITY,
        silent: true,
      },
    });
    this.runner = runner;
    const restartMs = this.opts.pollRestartMs ?? TELEGRAM_POLL_RESTART_MS;
    const stopped = (why: unknown) => {
      if (!this.polling || this.runner !== runner) return;
      this.opts.log?.(why, `telegram polling stopped${pollStopCause(why)}; restarting in ${Math.round(restartMs / 1000)} s`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.polling && this.runner === runner) this.poll();
      }, restartMs);
    };
    const task = runner.task();
    if (task) task.then(() => stopped(new Error('the update runner ended')), stopped);
  }

  /** Webhook mode: a node:http handler for the URL given to registerWebhook. */
  webhookHandler(secretToken?: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    return webhookCallback(this.bot, 'http', { secretToken }) as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  }

  /** `npm run register`: the command menu (setMyCommands). Not at every start. */
  async registerCommands(): Promise<void> {
    await this.bot.api.setMyCommands(this.catalog.map((c) => ({ command: c.name, description: c.description })));
  }

  /** Points Telegram at our webhook (webhook mode only). */
  async registerWebhook(url: string, secretToken?: string): Promise<void> {
    await this.bot.api.setWebhook(url, { secret_token: secretToken, allowed_updates: ['message', 'callback_query', 'my_chat_member'] });
  }

  async stop(): Promise<void> {
    this.polling = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const runner = this.runner;
    this.runner = undefined;
    if (runner?.isRunning()) await runner.stop();
  }

  private install(): void {
    const bot = this.bot;
    bot.catch((e) => this.opts.log?.(e.error, `telegram update ${e.ctx.update.update_id}`));
    bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
    bot.use((ctx, next) => {
      if (ctx.from) this.names.set(String(ctx.from.id), ctx.from.first_name);
      return next();
    });
    for (const def of this.catalog) {
      bot.command(def.name, async (ctx) => {
        const msg = ctx.msg;
        const c = this.context(ctx.chat, msg.from ?? ctx.from, topicOf(msg), msg.sender_chat);
        if (!c) return;
        const reply = await runCommand(def, { text: String(ctx.match ?? '') }, c, this.limiter);
        await this.answer(c.actor.chat, reply, msg.message_id);
      });
    }
    // Anything else that looks like a command to us: say so (in groups, only when addressed to us).
    bot.on('message:entities:bot_command', async (ctx) => {
      const text = ctx.msg.text ?? '';
      const addressed = ctx.chat.type === 'private' || text.split(/\s/, 1)[0]?.toLowerCase().endsWith(`@${ctx.me.username.toLowerCase()}`);
      if (!addressed || !text.startsWith('/')) return;
      const c = this.context(ctx.chat, ctx.msg.from ?? ctx.from, topicOf(ctx.msg), ctx.msg.sender_chat);
      if (!c) return;
      const help = this.catalog.find((d) => d.name === 'help');
      const unknown: Reply = { text: [{ style: 'plain', text: `Unknown command ${text.split(/[\s@]/, 1)[0]}.` }], error: true };
      const reply = help ? await executeCommand(help, { text: '' }, c) : unknown;
      await this.answer(c.actor.chat, { ...reply, text: [...unknown.text, { style: 'plain', text: '\n\n' }, ...reply.text] }, ctx.msg.message_id);
    });
    bot.on('callback_query:data', async (ctx) => {
      const q = ctx.callbackQuery;
      const chat = q.message?.chat;
      const c = chat ? this.context(chat, q.from, q.message && 'message_thread_id' in q.message && q.message.is_topic_message ? q.message.message_thread_id : undefined) : undefined;
      if (!c) {
        await ctx.answerCallbackQuery({ text: 'This button works only in the chat of its alert.' });
        return;
      }
      const out = await executeAction(q.data, c, this.limiter);
      await ctx.answerCallbackQuery({ text: out.toast, show_alert: out.alert ?? false });
      if (out.reply) await this.answer(c.actor.chat, out.reply);
    });
    bot.on('my_chat_member', async (ctx) => {
      const status = ctx.myChatMember.new_chat_member.status;
      if (status !== 'kicked' && status !== 'left') return;
      const reason = ctx.chat.type === 'private' ? 'blocked by the user' : 'bot removed from the chat';
      await this.opts.onChatGone?.(addressOf(ctx.chat), reason);
    });
  }

  private context(chat: Chat, user: User | undefined, topicId?: number, senderChat?: Chat): CommandContext | undefined {
    if (!user) return undefined;
    return {
      platform: TELEGRAM_PLATFORM,
      actor: {
        userId: String(user.id),
        displayName: user.first_name,
        chat: addressOf(chat, topicId),
        isAdmin: () => this.isAdmin(chat, user, senderChat),
      },
      clock: this.clock,
      services: this.opts.services,
      catalog: this.catalog,
      log: this.opts.log,
    };
  }

  /** Server-side: the chat's creator and administrators (getChatMember), or the chat itself speaking. */
  private async isAdmin(chat: Chat, user: User, senderChat?: Chat): Promise<boolean> {
    if (chat.type === 'private') return true;
    if (user.id === GROUP_ANONYMOUS_BOT_ID) return senderChat?.id === chat.id;
    const key = `${chat.id}:${user.id}`;
    const now = this.clock.now();
    const memo = this.admins.get(key);
    if (memo && memo.until > now) return memo.admin;
    const m = await this.bot.api.getChatMember(chat.id, user.id);
    const admin = m.status === 'creator' || m.status === 'administrator';
    this.admins.set(key, { admin, until: now + ADMIN_CACHE_MS });
    return admin;
  }

  private async answer(to: ChatAddress, reply: Reply, replyTo?: number): Promise<void> {
    try {
      await sendContent(this.bot.api, to, { text: reply.text, photo: reply.chart?.png, fileName: reply.chart?.fileName, buttons: reply.buttons, replyTo });
    } catch (err) {
      this.opts.log?.(err, `telegram reply to chat ${to.chatId}`);
    }
  }
}

function topicOf(msg: { is_topic_message?: boolean; message_thread_id?: number }): number | undefined {
  return msg.is_topic_message ? msg.message_thread_id : undefined;
}
