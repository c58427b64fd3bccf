import { z } from '@hono/zod-openapi';
import { STREAM_STATUSES } from '../engine/ports/feed.js';
import type { DashboardOptions } from './options.js';

/**
 * The read-only API's schemas: they validate requests, type the handlers' answers and generate
 * /api/openapi.json, so the document cannot drift from the code.
 */

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds or ISO-8601, as epoch milliseconds. */
const timeParam = (name: string, description: string) =>
  z
    .string()
    .transform((s, ctx) => {
      const t = /^\d{1,16}$/.test(s) ? Number(s) : ISO_TIME.test(s) ? Date.parse(s) : NaN;
      if (!Number.isFinite(t)) {
        ctx.addIssue({ code: 'custom', message: `expected epoch milliseconds or an ISO-8601 time, got ${JSON.stringify(s.slice(0, 40))}` });
        return z.NEVER;
      }
      return t;
    })
    .openapi({ param: { name, in: 'query' }, description: `${description} Epoch milliseconds or ISO-8601.`, example: '2025-08-11T14:00:00Z', type: 'string' });

const intParam = (name: string, min: number, max: number, description: string) =>
  z
    .string()
    .transform((s, ctx) => {
      const n = /^\d{1,9}$/.test(s) ? Number(s) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got ${JSON.stringify(s.slice(0, 20))}` });
        return z.NEVER;
      }
      return n;
    })
    .openapi({ param: { name, in: 'query' }, description, type: 'integer', minimum: min, maximum: max });

const scoreParam = z
  .string()
  .transform((s, ctx) => {
    const n = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(s) ? Number(s) : NaN;
    if (!(n >= 0 && n <= 1)) {
      ctx.addIssue({ code: 'custom', message: `expected a score from 0 to 1, got ${JSON.stringify(s.slice(0, 20))}` });
      return z.NEVER;
    }
    return n;
  })
  .openapi({ param: { name: 'minScore', in: 'query' }, description: 'Only alerts scoring at least this.', type: 'number', minimum: 0, maximum: 1 });

const venueText = z.string().regex(/^[a-z0-9]{1,32}$/, 'expected a lower-case exchange id (letters and digits, e.g. binance)');
const symbolText = z
  .string()
  .regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'expected a pair such as BTC-USDT or BTC%2FUSDT (letters, digits and . _ : / -, at most 64)');

export const VenueParam = venueText.openapi({ param: { name: 'venue', in: 'path' }, example: 'binance' });
export const SymbolParam = symbolText.openapi({ param: { name: 'symbol', in: 'path' }, example: 'BTC-USDT', description: 'The pair, its `/` written as `-` (BTC-USDT) or percent-encoded (BTC%2FUSDT).' });
const symbolQuery = symbolText.openapi({ param: { name: 'symbol', in: 'query' }, example: 'BTC-USDT', description: 'The pair: BTC-USDT or BTC%2FUSDT.' });
const venueQuery = venueText.openapi({ param: { name: 'venue', in: 'query' }, example: 'binance' });

export const StatusName = z.enum([...STREAM_STATUSES, 'unknown']).openapi('StreamStatus', {
  description: 'live, stale (no trade for longer than usual), reconnecting, backfilling; unknown when no feed reports the stream.',
});

export const ApiError = z
  .object({
    error: z.string().openapi({ example: 'bad_request' }),
    message: z.string(),
    issues: z
      .array(
        z.object({
          in: z.string().openapi({ example: 'query' }),
          parameter: z.string().openapi({ example: 'limit' }),
          rule: z.string().openapi({ example: 'custom' }),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Error');

export const StreamRow = z
  .object({
    venue: z.string(),
    symbol: z.string(),
    slug: z.string().openapi({ description: 'The symbol as written in URLs.', example: 'BTC-USDT' }),
    status: StatusName.openapi({
      description:
        'What the stream is shown as: its feed\'s status, except `stale` when the feed is reconnecting or backfilling and the newest data is older than `staleAfterMs`.',
    }),
    feedStatus: StatusName.openapi({ description: 'The feed\'s own status (differs from `status` when a stream whose feed is down has gone stale).' }),
    lastDataAt: z.number().nullable().openapi({ description: 'When the stream\'s newest trade arrived (server clock), epoch ms; what the staleness bound is measured from.' }),
    statusSince: z.number().nullable().openapi({ description: 'When the feed\'s status last changed, epoch ms.' }),
    statusReason: z.string().nullable().openapi({ description: 'Why the feed\'s status last changed.' }),
    price: z.number().nullable().openapi({ description: 'Close of the newest bar.' }),
    ts: z.number().nullable().openapi({ description: 'End of the newest bar, epoch ms.' }),
    change5m: z.number().nullable().openapi({ description: 'Percent change over 5 minutes.' }),
    change1h: z.number().nullable().openapi({ description: 'Percent change over 1 hour.' }),
    score: z.number().openapi({ description: 'Anomaly score of the newest bar, 0 to 1.' }),
    sign: z.number().int(),
    warmingUp: z.boolean(),
    ticks: z.number().int(),
    spark: z.array(z.number()).openapi({ description: 'Closes of the last long bars, oldest first.' }),
    scoreTrail: z.array(z.number()).openapi({ description: 'Highest score per bucket, oldest first.' }),
  })
  .openapi('Stream');

export const SymbolRow = z
  .object({
    symbol: z.string(),
    slug: z.string(),
    composite: z.number().nullable().openapi({ description: 'Median price of the fresh, live venues.' }),
    venues: z.array(z.string()).openapi({ description: 'Venues the composite was taken over.' }),
    diverging: z
      .object({ venue: z.string(), pct: z.number() })
      .nullable()
      .openapi({ description: 'The venue furthest from the composite, when beyond the divergence threshold.' }),
  })
  .openapi('Symbol');

export const StreamsResponse = z
  .object({
    now: z.number(),
    shortBarMs: z.number(),
    longBarMs: z.number(),
    scoreTrailBucketMs: z.number(),
    scoreTrailPoints: z.number(),
    sparkPoints: z.number(),
    staleAfterMs: z.number().openapi({ description: 'The staleness bound: a stream whose feed is down and whose newest data is older than this is shown stale.' }),
    streams: z.array(StreamRow),
    symbols: z.array(SymbolRow),
  })
  .openapi('Streams');

const column = z.array(z.number());
export const BarsResponse = z
  .object({
    venue: z.string(),
    symbol: z.string(),
    res: z.enum(['1s', '1m']),
    barMs: z.number(),
    from: z.number(),
    to: z.number(),
    bars: z
      .object({ ts: column, open: column, high: column, low: column, close: column, volume: column, quoteVolume: column, trades: column })
      .openapi({ description: 'Columns, oldest first: entry i of every array is bar i. `ts` is the bar start. Missing bars are gaps.' }),
  })
  .openapi('Bars');

export const Alert = z
  .object({
    id: z.string(),
    venue: z.string(),
    symbol: z.string(),
    slug: z.string(),
    ts: z.number(),
    barTs: z.number(),
    price: z.number(),
    direction: z.enum(['up', 'down']),
    change: z.object({ pct: z.number(), windowMs: z.number(), fromPrice: z.number(), fromTs: z.number() }),
    score: z.number(),
    detectors: z.array(z.object({ name: z.string(), score: z.number(), explanation: z.string() })),
    explanation: z.string(),
    quoteVolume: z.number(),
    late: z.boolean(),
    consensus: z
      .object({ kind: z.enum(['market-wide', 'venue-specific']), confirming: z.array(z.string()), fresh: z.array(z.string()) })
      .nullable(),
    /** The alert that reported this move first: another venue's, or (breakaway) this venue's divergence alert; null when this one was first. */
    echoOf: z.object({ id: z.string(), venue: z.string(), ts: z.number(), breakaway: z.boolean() }).nullable(),
    links: z.object({ chart: z.string(), pair: z.string() }),
  })
  .openapi('Alert');

export const AlertsResponse = z.object({ alerts: z.array(Alert) }).openapi('Alerts');

const queueRow = z.object({
  name: z.string(),
  waiting: z.number(),
  active: z.number(),
  delayed: z.number(),
  failed: z.number(),
  completed: z.number(),
  deadLetters: z.number(),
  recentDeadLetters: z.array(z.object({ failedAt: z.number(), attempts: z.number(), reason: z.string() })),
});

export const StatusResponse = z
  .object({
    now: z.number(),
    feeds: z.object({
      streams: z.number(),
      byStatus: z.record(z.string(), z.number()),
      venues: z.array(z.object({ venue: z.string(), streams: z.number(), byStatus: z.record(z.string(), z.number()) })),
      notLive: z.array(z.object({ venue: z.string(), symbol: z.string(), status: StatusName, feedStatus: StatusName, since: z.number().nullable(), reason: z.string().nullable() })),
    }),
    engine: z.object({ streams: z.number(), ticks: z.number(), bars: z.number() }),
    queues: z.array(queueRow).nullable(),
    deliveryFailures: z.array(z.object({ platform: z.string(), reason: z.string(), count: z.number() })).nullable(),
    subscriptions: z
      .object({ total: z.number(), watches: z.number(), feeds: z.number(), paused: z.number(), muted: z.number(), chats: z.number(), pairs: z.number(), byPlatform: z.record(z.string(), z.number()) })
      .nullable(),
    live: z.object({ clients: z.number(), maxClients: z.number() }),
  })
  .openapi('Status');

export type StreamRowT = z.infer<typeof StreamRow>;
export type SymbolRowT = z.infer<typeof SymbolRow>;
export type AlertT = z.infer<typeof Alert>;
export type StatusT = z.infer<typeof StatusResponse>;
export type BarsT = z.infer<typeof BarsResponse>;

/** Query schemas whose limits come from the options. */
export function querySchemas(o: DashboardOptions) {
  return {
    streams: z.object({ venue: venueQuery.optional(), symbol: symbolQuery.optional() }),
    bars: z.object({
      res: z.enum(['1s', '1m']).default('1m').openapi({ param: { name: 'res', in: 'query' }, description: 'Resolution: 1s (the engine\'s short bars) or 1m (its long bars).' }),
      from: timeParam('from', 'First bar start to include; default: as far back as the resolution keeps.').optional(),
      to: timeParam('to', 'Bars starting before this; default: now.').optional(),
    }),
    alerts: z.object({
      symbol: symbolQuery.optional(),
      venue: venueQuery.optional(),
      since: timeParam('since', 'Only alerts at or after this time.').optional(),
      limit: intParam('limit', 1, o.alertsMaxLimit, `How many alerts, newest first (default ${o.alertsDefaultLimit}).`).optional(),
      direction: z.enum(['up', 'down']).openapi({ param: { name: 'direction', in: 'query' } }).optional(),
      minScore: scoreParam.optional(),
    }),
    events: z.object({ symbol: symbolQuery.optional() }),
  };
}
