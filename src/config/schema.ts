import { z } from 'zod';
import { DETECTOR_NAMES } from '../engine/options.js';
import { SENSITIVITIES } from '../engine/core/rules.js';

/** The venues with native feeds; any other ccxt pro exchange id is accepted too. */
export const NATIVE_VENUES = ['binance', 'coinbase', 'kraken', 'okx', 'bybit'] as const;

const wsUrl = z.string().regex(/^wss?:\/\/[^\s]+$/, 'expected a ws:// or wss:// URL');
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'expected an http:// or https:// URL');
const positiveMs = z.number().int().positive();

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
    lateAlertMaxAgeMs: z.number().int().min(0),
    detectors: z.array(z.enum(DETECTOR_NAMES)).min(1),
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
}

export type Config = z.output<typeof configSchema> & {
  discord: { applicationId?: string | undefined; apiBase?: string | undefined };
  telegram: { apiRoot?: string | undefined };
  secrets: Secrets;
};
