import { z } from 'zod';
import { DETECTOR_NAMES } from '../engine/options.js';
import { SENSITIVITIES } from '../engine/core/rules.js';
import { LEASE_RENEW_MS, LEASE_TTL_MS } from '../ops/leases.js';
import { BOARD_INTERVAL_MS } from '../ops/market-board.js';

/** Window snapshots in the split roles: the worker draws alert charts and the bot range charts from them, and a new owner warm-starts from them. */
export const SPLIT_SNAPSHOT_MS = 15_000;

/** The venues with native feeds; any other ccxt pro exchange id is accepted too. */
export const NATIVE_VENUES = ['binance', 'coinbase', 'kraken', 'okx', 'bybit'] as const;

const wsUrl = z.string().regex(/^wss?:\/\/[^\s]+$/, 'expected a ws:// or wss:// URL');
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'expected an http:// or https:// URL');
const positiveMs = z.number().int().positive();
const sensitivity = z.enum(SENSITIVITIES as unknown as [string, ...string[]]);
const email = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'expected an e-mail address');

export const exchangeSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Pairs streamed from start, beside those users subscribe to. */
    symbols: z.array(z.string().min(1)).default([]),
    wsUrl: wsUrl.optional(),
    restUrl: httpUrl.optional(),
    /** false: use ccxt pro even for a venue with a native feed (a fallback if the venue changes its format). */
    native: z.boolean().optional(),
    /** Raw ccxt constructor settings for this exchange (urls, options, timeout); never keys: market data is public. */
    ccxt: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const engineSchema = z
  .object({
    shortBarMs: positiveMs,
    shortBars: z.number().int().min(2).max(100_000),
    longBarMs: positiveMs,
    longBars: z.number().int().min(2).max(100_000),
    lateTickGraceMs: z.number().int().min(0).max(60_000),
    gapMs: positiveMs,
    warmupBars: z.number().int().min(0),
    warmupMs: z.number().int().min(0),
    lateAlertMaxAgeMs: z.number().int().min(0),
    detectors: z.array(z.enum(DETECTOR_NAMES)).min(1),
    /** How the detectors' findings combine into one score (docs/engine.md, "Ensemble"). */
    ensemble: z
      .object({
        fireScore: z.number().min(0.5).max(1),
        calibration: z.enum(['combined', 'each']),
        rearmBars: z.number().int().min(0).max(100_000),
        rearmMargin: z.number().min(0).max(10),
        agreementBonus: z.number().min(0).max(2),
        weights: z.partialRecord(z.enum(DETECTOR_NAMES), z.number().min(0).max(10)),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export const configSchema = z
  .object({
    exchanges: z.record(z.string().regex(/^[a-z0-9]+$/, 'exchange ids are lower-case ccxt ids, e.g. binance'), exchangeSchema).default({
      binance: { enabled: true, symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
      coinbase: { enabled: true, symbols: ['BTC/USD', 'ETH/USD', 'SOL/USD'] },
      kraken: { enabled: true, symbols: ['BTC/USD', 'ETH/USD'] },
      okx: { enabled: true, symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
      bybit: { enabled: true, symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
    }),
    store: z
      .object({
        /** Redis URL; absent means the embedded in-memory store. */
        url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').optional(),
        prefix: z.string().min(1).default('tickwatch'),
      })
      .strict()
      .default({ prefix: 'tickwatch' }),
    alerts: z
      .object({
        /** Where the console sink writes alert PNGs. */
        dir: z.string().min(1).default('./alerts'),
        sensitivity: z.enum(SENSITIVITIES as unknown as [string, ...string[]]).default('normal'),
      })
      .strict()
      .default({ dir: './alerts', sensitivity: 'normal' }),
    http: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8080),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080 }),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    engine: engineSchema.default({}),
    /** Subscriptions a user (on one platform) and a chat may hold. */
    limits: z
      .object({ perUser: z.number().int().min(1).max(10_000).default(20), perChat: z.number().int().min(1).max(100_000).default(50) })
      .strict()
      .default({ perUser: 20, perChat: 50 }),
    render: z
      .object({
        /** Chart worker threads (default: min(2, cores)). */
        workers: z.number().int().min(1).max(64).optional(),
        cacheEntries: z.number().int().min(0).max(100_000).optional(),
        theme: z.enum(['dark', 'light']).default('dark'),
      })
      .strict()
      .default({ theme: 'dark' }),
    /**
     * Outbound webhooks for the operator's own pipelines. The signing secret of webhook `name` comes
     * from the environment variable TICKWATCH_WEBHOOK_SECRET_<NAME> (upper case, - as _).
     */
    webhooks: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only'),
            url: httpUrl,
            chart: z.enum(['base64', 'url', 'none']).default('base64'),
            symbols: z.array(z.string().min(1)).optional(),
            sensitivity: z.enum(SENSITIVITIES as unknown as [string, ...string[]]).default('normal'),
          })
          .strict(),
      )
      .default([]),
    /**
     * Mail over SMTP for the operator's own inboxes: each route gets every alert of its symbols at
     * its sensitivity. The SMTP password comes from TICKWATCH_SMTP_PASSWORD.
     */
    email: z
      .object({
        /** The From address, optionally with a name: `tickwatch <alerts@example.com>`. */
        from: z.string().regex(/^[^@\s]+@[^@\s]+$|^[^<>]*<[^@\s<>]+@[^@\s<>]+>$/, 'expected an e-mail address, optionally with a name: tickwatch <alerts@example.com>'),
        smtp: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65_535).default(587),
            /** TLS from the first byte; false: STARTTLS when the server offers it. Default: true on port 465 only. */
            secure: z.boolean().optional(),
            user: z.string().min(1).optional(),
          })
          .strict(),
        routes: z
          .array(
            z
              .object({
                name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only'),
                to: z.array(email).min(1),
                symbols: z.array(z.string().min(1)).optional(),
                sensitivity: sensitivity.default('normal'),
              })
              .strict(),
          )
          .min(1)
          .refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, { message: 'route names must differ (each names one mail route)' }),
      })
      .strict()
      .optional(),
    telegram: z
      .object({
        /** polling: the bot asks Telegram for updates; webhook: Telegram posts them to webhookUrl (behind a load balancer). */
        mode: z.enum(['polling', 'webhook']).default('polling'),
        /** Public https URL Telegram posts updates to; its path is served on http.host:http.port. */
        webhookUrl: httpUrl.optional(),
      })
      .strict()
      .refine((t) => t.mode !== 'webhook' || t.webhookUrl !== undefined, { message: 'telegram.mode webhook needs telegram.webhookUrl', path: ['webhookUrl'] })
      .default({ mode: 'polling' }),
    discord: z
      .object({
        /** Gateway shards this process runs: `auto` (as many as Discord recommends, all here) or a list of shard ids. Absent: one shard. */
        shards: z.union([z.literal('auto'), z.array(z.number().int().min(0)).min(1)]).optional(),
        /** Total shards across every bot process (with a list of shard ids). */
        shardCount: z.number().int().min(1).optional(),
      })
      .strict()
      .refine((d) => !Array.isArray(d.shards) || (d.shardCount !== undefined && d.shards.every((s) => s < (d.shardCount as number))), {
        message: 'a list of discord.shards needs discord.shardCount greater than every shard id',
        path: ['shardCount'],
      })
      .default({}),
    /** Split roles (`tickwatch run --role engine|bot|worker`); see docs/ops.md. */
    cluster: z
      .object({
        /** A stream lease lives this long without renewal: a dead engine's streams move within leaseTtlMs + renewMs. */
        leaseTtlMs: positiveMs.default(LEASE_TTL_MS),
        /** Engines renew their leases, take free streams and hand back extra ones this often. */
        renewMs: positiveMs.default(LEASE_RENEW_MS),
        /** Engines save window snapshots this often (bot charts and warm starts read them). */
        snapshotMs: positiveMs.default(SPLIT_SNAPSHOT_MS),
        /** Engines publish prices and feed status for the bot role this often. */
        boardMs: positiveMs.default(BOARD_INTERVAL_MS),
      })
      .strict()
      .refine((c) => c.leaseTtlMs >= 2 * c.renewMs, { message: 'cluster.leaseTtlMs must be at least twice cluster.renewMs (a lease must survive a missed renewal)', path: ['leaseTtlMs'] })
      .default({ leaseTtlMs: LEASE_TTL_MS, renewMs: LEASE_RENEW_MS, snapshotMs: SPLIT_SNAPSHOT_MS, boardMs: BOARD_INTERVAL_MS }),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;

/** Secrets: only ever from the environment. */
export interface Secrets {
  discordToken?: string | undefined;
  telegramToken?: string | undefined;
  dashboardToken?: string | undefined;
  /** Webhook signing secrets by webhook name. */
  webhookSecrets: Record<string, string>;
  /** SMTP password (TICKWATCH_SMTP_PASSWORD). */
  smtpPassword?: string | undefined;
  /** Checked on every Telegram webhook request (TELEGRAM_WEBHOOK_SECRET). */
  telegramWebhookSecret?: string | undefined;
}

type Parsed = z.output<typeof configSchema>;

export type Config = Omit<Parsed, 'discord' | 'telegram'> & {
  discord: Parsed['discord'] & { applicationId?: string | undefined; apiBase?: string | undefined };
  telegram: Parsed['telegram'] & { apiRoot?: string | undefined };
  secrets: Secrets;
};
