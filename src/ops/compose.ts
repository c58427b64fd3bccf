/**
 * Pieces of the composition that every role shares: the operator's static routes and their
 * destinations (console, webhooks, mail), the chat platforms' delivery clients, the Telegram
 * webhook route, Discord sharding, and the Redis connections. Only src/main.ts and
 * src/ops/roles.ts call these.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Bot, webhookCallback } from 'grammy';
import { Client, type ClientOptions } from 'discord.js';
import type { Config } from '../config/schema.js';
import { UserError } from '../engine/core/errors.js';
import { SENSITIVITY_PRESETS, type Sensitivity } from '../engine/core/rules.js';
import type { Clock } from '../engine/ports/clock.js';
import type { Destination } from '../engine/ports/destination.js';
import type { QueueBackend, RateLimiter } from '../engine/ports/queue.js';
import type { Store } from '../engine/ports/store.js';
import type { Engine } from '../engine/engine.js';
import type { FeedSet } from '../engine/feeds/create-feeds.js';
import type { StaticRoute } from '../delivery/fanout.js';
import type { InDoubt } from '../delivery/guarantees.js';
import { ConsoleDestination } from '../delivery/destinations/console.js';
import { createEmailDestination, type EmailDestination } from '../delivery/destinations/email.js';
import { WebhookDestination } from '../delivery/destinations/webhook.js';
import { BullQueueBackend } from '../queue/bullmq.js';
import { RedisRateLimiter } from '../queue/rate-limit.js';
import { connectRedis, type RedisClient } from '../store/redis-client.js';
import { RedisStore } from '../store/redis.js';
import { DiscordDestination, PauseNotices, discordClientOptions, discordRest } from '../bot/discord/index.js';
import { discordRetryWatch, type DiscordRetryWatch } from '../bot/discord/client.js';
import type { OnPlatformRetry } from '../bot/shared/retries.js';
import { TELEGRAM_DEFAULT_API_ROOT, TELEGRAM_RETRY_MAX_ATTEMPTS, TELEGRAM_RETRY_MAX_DELAY_S, telegramAutoRetry } from '../bot/telegram/bot.js';
import { TelegramDestination } from '../bot/telegram/index.js';
import type { Logger } from './log.js';
import type { AppMetrics } from './metrics.js';
import type { CommandServices } from '../../commands/framework.js';
import { DiscordBot } from '../bot/discord/index.js';
import { TelegramBot } from '../bot/telegram/index.js';

/** How often live mode closes bars whose time is up (and the engine learns the local time). */
export const ADVANCE_INTERVAL_MS = 200;

/** The processes `tickwatch run --role` starts. `all` is everything in one process (the default). */
export const ROLES = ['all', 'engine', 'bot', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Static routes: the console always (standard output), each configured webhook and mail route at
 * its own sensitivity. The engine evaluates their thresholds everywhere; the fan-out sends to them.
 */
/**
 * Deliveries found in doubt after a crash (sent, no receipt) are sent again; each is logged so an
 * operator can tell a possible repeat (`covered: false`: the platform cannot drop it, e.g.
 * Telegram) from one the platform or receiver drops by its id, and counted in /metrics.
 */
export function inDoubtReporter(log: Logger, metrics: AppMetrics): (d: InDoubt) => void {
  const counts = new Map<string, { platform: string; covered: boolean; n: number }>();
  metrics.counter('tickwatch_delivery_in_doubt_total', 'Deliveries sent again after a crash left them without a receipt, by platform and whether the platform drops a repeat', ['platform', 'covered'], () =>
    [...counts.values()].map((c) => ({ labels: { platform: c.platform, covered: String(c.covered) }, value: c.n })),
  );
  return (d) => {
    const key = `${d.platform}:${d.covered}`;
    const c = counts.get(key) ?? { platform: d.platform, covered: d.covered, n: 0 };
    c.n++;
    counts.set(key, c);
    const fields = { delivery: d.deliveryId, platform: d.platform, guard: d.guard, sinceMs: d.sinceMs, previousAttempt: d.previousAttempt, covered: d.covered };
    if (d.covered) log.info(fields, 'delivery in doubt after a crash: sent again, the platform drops a repeat');
    else log.warn(fields, 'delivery in doubt after a crash: sent again, the reader may see it twice');
  };
}

/**
 * The chat clients' own retries (Telegram's auto-retry, discord.js REST): one warning per retry,
 * counted in /metrics by platform and reason, so that a platform throttling or failing shows
 * while the client works through it. Build one per process and hand it to every chat client.
 */
export function platformRetryReporter(log: Logger, metrics: AppMetrics): OnPlatformRetry {
  return (r) => {
    metrics.platformRetried(r.platform, r.reason);
    const what = r.reason === 'rate_limited' ? 'rate limited' : r.reason === 'server_error' ? 'server error' : 'network error';
    log.warn(
      { platform: r.platform, reason: r.reason, method: r.method, route: r.route, status: r.status, waitMs: r.waitMs, retryAfterMs: r.retryAfterMs, attempt: r.attempt, limit: r.limit, global: r.global, scope: r.scope, cause: r.cause },
      `${r.platform} ${what}: the client retries`,
    );
  };
}

/**
 * Where a stream's feed resumes: a stream restored from a window snapshot is backfilled from where
 * its windows end instead of being warmed up from scratch.
 */
export function resumeFromWindows(engine: Engine): (venue: string, symbol: string) => number | undefined {
  return (venue, symbol) => {
    const st = engine.find(venue, symbol);
    return st && st.short.length > 0 ? st.short.lastTs + engine.options.shortBarMs : undefined;
  };
}

/** One log line per stream status change (live, stale, reconnecting, backfilling). */
export function logStreamStatuses(feeds: Pick<FeedSet, 'onStatus'>, log: Logger): void {
  feeds.onStatus((c) => log.info({ venue: c.venue, symbol: c.symbol, status: c.status, previous: c.previous, reason: c.reason }, 'stream status'));
}

export function staticRoutes(cfg: Config): StaticRoute[] {
  const routes: StaticRoute[] = [{ to: { platform: 'console', chatId: 'stdout' }, thresholds: { ...SENSITIVITY_PRESETS[cfg.alerts.sensitivity as Sensitivity] } }];
  for (const w of cfg.webhooks) {
    routes.push({ to: { platform: 'webhook', chatId: w.name }, symbols: w.symbols, thresholds: { ...SENSITIVITY_PRESETS[w.sensitivity as Sensitivity] } });
  }
  for (const m of cfg.email?.routes ?? []) {
    routes.push({ to: { platform: 'email', chatId: m.name }, symbols: m.symbols, thresholds: { ...SENSITIVITY_PRESETS[m.sensitivity as Sensitivity] } });
  }
  return routes;
}

/** The destinations of the static routes: console, webhooks, mail. */
export function outboundDestinations(cfg: Config): { destinations: Destination[]; close(): void } {
  const destinations: Destination[] = [new ConsoleDestination({ write: (s) => process.stdout.write(s), chartDir: cfg.alerts.dir })];
  if (cfg.webhooks.length) {
    destinations.push(new WebhookDestination(cfg.webhooks.map((w) => ({ name: w.name, url: w.url, chart: w.chart, secret: cfg.secrets.webhookSecrets[w.name] }))));
  }
  let mail: EmailDestination | null = null;
  if (cfg.email) {
    const e = cfg.email;
    mail = createEmailDestination({
      host: e.smtp.host,
      port: e.smtp.port,
      secure: e.smtp.secure,
      user: e.smtp.user,
      pass: e.smtp.user ? (cfg.secrets.smtpPassword ?? '') : undefined,
      from: e.from,
      targets: e.routes.map((r) => ({ name: r.name, to: r.to })),
    });
    destinations.push(mail);
  }
  return { destinations, close: () => mail?.close() };
}

/** Telegram delivery without the bot's update handling (the worker role): the same client setup as TelegramBot. */
export function telegramDestination(cfg: Config, clock: Clock, onRetry: OnPlatformRetry): TelegramDestination | null {
  const token = cfg.secrets.telegramToken;
  if (!token) return null;
  const bot = new Bot(token, { client: { apiRoot: cfg.telegram.apiRoot ?? TELEGRAM_DEFAULT_API_ROOT } });
  bot.api.config.use(telegramAutoRetry({ maxDelaySeconds: TELEGRAM_RETRY_MAX_DELAY_S, maxRetryAttempts: TELEGRAM_RETRY_MAX_ATTEMPTS }, onRetry));
  return new TelegramDestination(bot.api, { clock });
}

/** Discord delivery over REST (no gateway), with the pause notices a lost channel gets. */
export function discordDestination(cfg: Config, store: Store, clock: Clock, onError: (err: unknown, context: string) => void, onRetry: OnPlatformRetry): DiscordDestination | null {
  const token = cfg.secrets.discordToken;
  if (!token) return null;
  const rest = discordRest(token, { apiBase: cfg.discord.apiBase }, onRetry);
  const notices = new PauseNotices({ rest, subscriptions: store, clock });
  return new DiscordDestination({ rest, onLostAccess: async (to, why) => void (await notices.tell(to, why)), log: onError });
}

/** discord.js client options with the configured shards (`discord.shards`, `discord.shardCount`). */
export function discordGatewayOptions(cfg: Config, retries?: DiscordRetryWatch): ClientOptions {
  const o: ClientOptions = { ...discordClientOptions({ apiBase: cfg.discord.apiBase }, retries) };
  const d = cfg.discord;
  if (d.shards === 'auto') o.shards = 'auto';
  else if (Array.isArray(d.shards)) {
    o.shards = [...d.shards];
    o.shardCount = d.shardCount;
  }
  return o;
}

/** The gateway client; its REST client (interaction replies, lookups) reports its retries to `onRetry`. */
export function discordGatewayClient(cfg: Config, onRetry?: OnPlatformRetry): Client {
  const watch = onRetry ? discordRetryWatch(onRetry) : undefined;
  const client = new Client(discordGatewayOptions(cfg, watch));
  watch?.attach(client.rest);
  return client;
}

/** The path of the Telegram webhook URL, served on the process's HTTP server. */
export function telegramWebhookPath(cfg: Config): string {
  const url = cfg.telegram.webhookUrl;
  if (!url) throw new UserError('bad_input', 'telegram.mode webhook needs telegram.webhookUrl');
  const path = new URL(url).pathname;
  if (path === '/' || path === '') throw new UserError('bad_input', `telegram.webhookUrl ${url}: give it a path of its own, e.g. /telegram/webhook (the dashboard serves /)`);
  return path;
}

/**
 * Telegram webhook mode: mounts the update handler on the HTTP app (checking Telegram's secret
 * header when TELEGRAM_WEBHOOK_SECRET is set); `start` learns the bot's identity and registers
 * the URL with Telegram (setWebhook is idempotent, so every bot process behind the load balancer
 * may do it).
 */
export function mountTelegramWebhook(app: OpenAPIHono, telegram: TelegramBot, cfg: Config, log: Logger): { start(): Promise<void> } {
  const path = telegramWebhookPath(cfg);
  const secret = cfg.secrets.telegramWebhookSecret;
  if (!secret) log.warn({ path }, 'telegram webhook without TELEGRAM_WEBHOOK_SECRET: anyone who finds the URL can post updates');
  app.post(path, webhookCallback(telegram.bot, 'hono', { secretToken: secret }));
  return {
    async start() {
      await telegram.bot.init();
      await telegram.registerWebhook(cfg.telegram.webhookUrl as string, secret);
      log.info({ path }, 'telegram webhook registered');
    },
  };
}

export interface RedisParts {
  redis: RedisClient;
  store: Store;
  queues: QueueBackend;
  limiter: RateLimiter;
}

/** The Redis client, store, queues and rate limiter of one process. */
export function redisParts(cfg: Config, log: Logger, onError: (err: unknown, context: string) => void): RedisParts {
  const url = cfg.store.url;
  if (!url) throw new UserError('bad_input', 'this role needs Redis: set REDIS_URL (or store.url); only --role all runs without it');
  const conn = { url };
  const redis = connectRedis(conn);
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  return {
    redis,
    store: new RedisStore(redis, { prefix: cfg.store.prefix }),
    queues: BullQueueBackend.connect(conn, { prefix: cfg.store.prefix, onError }),
    limiter: new RedisRateLimiter(redis, cfg.store.prefix),
  };
}

/** /healthz's store check. */
export async function redisCheck(redis: RedisClient | null): Promise<{ ok: boolean; detail?: string }> {
  if (!redis) return { ok: true, detail: 'memory' };
  try {
    await redis.ping();
    return { ok: true, detail: 'redis' };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

export interface ChatBot {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The chat platforms whose token is set: Telegram (long polling, or webhook mode whose route
 * `mountTelegramWebhook` adds) and Discord (gateway, sharded as configured).
 */
export function chatBots(
  cfg: Config,
  services: CommandServices,
  clock: Clock,
  onError: (err: unknown, context: string) => void,
  onChatGone: (c: { platform: string; chatId: string }, why: string) => Promise<unknown>,
  onRetry: OnPlatformRetry,
): { bots: ChatBot[]; telegram: TelegramBot | null } {
  const bots: ChatBot[] = [];
  let telegram: TelegramBot | null = null;
  if (cfg.secrets.telegramToken) {
    const tg = new TelegramBot({ token: cfg.secrets.telegramToken, apiRoot: cfg.telegram.apiRoot, services, clock, log: onError, onChatGone, onRetry });
    telegram = tg;
    // Webhook mode: updates arrive over HTTP; start() registers the URL (see startBots).
    if (cfg.telegram.mode === 'polling') bots.push({ name: 'telegram', start: () => tg.startPolling(), stop: () => tg.stop() });
  }
  if (cfg.secrets.discordToken) {
    const discord = new DiscordBot({ client: discordGatewayClient(cfg, onRetry), token: cfg.secrets.discordToken, services, clock, log: onError });
    bots.push({ name: 'discord', start: () => discord.start(), stop: () => discord.stop() });
  }
  return { bots, telegram };
}

/** Starts every platform; one failing (a revoked token, an outage) never stops the others or the engine. */
export async function startBots(bots: readonly ChatBot[], webhook: { start(): Promise<void> } | null, log: Logger): Promise<void> {
  const all = webhook ? [...bots, { name: 'telegram', start: () => webhook.start(), stop: async () => {} }] : bots;
  for (const b of all) {
    try {
      await b.start();
      log.info({ platform: b.name }, `${b.name} bot running`);
    } catch (err) {
      log.error({ platform: b.name, err }, `${b.name} bot could not start`);
    }
  }
}
