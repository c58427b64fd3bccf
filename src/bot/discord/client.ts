import { DefaultRestOptions, GatewayIntentBits, Options, REST, RESTEvents, type APIRequest, type ClientOptions, type RateLimitData, type RESTOptions, type ResponseLike } from 'discord.js';
import { networkCause, type OnPlatformRetry } from '../shared/retries.js';

/** Discord's public REST base; discord.js appends the API version (`/v10`). */
export const DISCORD_API_DEFAULT = 'https://discord.com/api';

/**
 * The only gateway intent the bot needs: guilds (their channels, roles and the permission
 * overwrites that permission checks read). Slash commands and buttons arrive as interactions
 * whatever the intents; no privileged intent (members, presences, message content) is asked for.
 */
export const DISCORD_INTENTS = [GatewayIntentBits.Guilds] as const;

export interface DiscordEndpoint {
  /** REST base without the version, e.g. `https://discord.com/api` (DISCORD_API_BASE). */
  apiBase?: string | undefined;
}

function restOptions(e: DiscordEndpoint): Partial<RESTOptions> {
  return { api: e.apiBase ?? DISCORD_API_DEFAULT };
}

/**
 * Options for the gateway client of the `bot` role. The gateway address is not configured: the
 * client asks `GET /gateway/bot` at `apiBase` and connects where it says. Messages are not cached
 * (the bot never reads chat), and nothing pings unless a message names whom to mention.
 */
export function discordClientOptions(e: DiscordEndpoint, retries?: DiscordRetryWatch): ClientOptions {
  return {
    intents: [...DISCORD_INTENTS],
    rest: { ...restOptions(e), ...retries?.options },
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0, ReactionManager: 0, PresenceManager: 0 }),
    allowedMentions: { parse: [] },
  };
}

/**
 * A REST client for alert delivery and command registration (no gateway: a delivery worker or
 * `npm run register` needs none). A 429 on a channel send is not waited out here: it is thrown
 * so that the delivery queue defers that one job and the worker goes on with other channels.
 */
export function discordRest(token: string, e: DiscordEndpoint, onRetry?: OnPlatformRetry): REST {
  const watch = onRetry ? discordRetryWatch(onRetry) : undefined;
  const rest = new REST({
    ...restOptions(e),
    ...watch?.options,
    rejectOnRateLimit: (d) => d.method.toUpperCase() === 'POST' && /^\/channels\/[^/]+\/messages$/.test(d.route),
  }).setToken(token);
  watch?.attach(rest);
  return rest;
}

/**
 * Reports the retries a discord.js REST client makes on its own. Its `response` event shows every
 * answer with the request's route template and retry count: a 429 is waited out and sent again
 * (unless `rejectOnRateLimit` throws it to the caller instead), a 5xx is sent again at once while
 * retries are left (`retries`, default 3). A timeout or a reset connection is retried too but
 * has no answer and no event, so `options` routes requests through a `makeRequest` that sees the
 * error. The `rateLimited` event is not a retry: it fires when the client holds a request back
 * until a bucket resets (its own pacing, and the wait that follows a 429 already reported here).
 */
export interface DiscordRetryWatch {
  /** REST options to build the client with. */
  readonly options: Pick<RESTOptions, 'makeRequest'>;
  /** Follows the REST client built with `options` (once). */
  attach(rest: REST): void;
}

export function discordRetryWatch(onRetry: OnPlatformRetry, makeRequest: RESTOptions['makeRequest'] = DefaultRestOptions.makeRequest): DiscordRetryWatch {
  let rest: REST | undefined;
  // Per request (its headers object is the same on every try): discord.js's retry count, and ours.
  const tries = new WeakMap<object, { retries: number; attempt: number }>();
  const triesOf = (headers: unknown): { retries: number; attempt: number } => {
    if (typeof headers !== 'object' || headers === null) return { retries: 0, attempt: 0 };
    let t = tries.get(headers);
    if (!t) tries.set(headers, (t = { retries: 0, attempt: 0 }));
    return t;
  };
  const retryLimit = (): number => rest?.options.retries ?? DefaultRestOptions.retries;

  const onResponse = async (req: APIRequest, res: ResponseLike): Promise<void> => {
    const status = res.status;
    if (status === 429) {
      const h = res.headers;
      const global = h.has('x-ratelimit-global');
      const limitHeader = h.get('x-ratelimit-limit');
      const limit = limitHeader ? Number(limitHeader) : undefined;
      const scope = h.get('x-ratelimit-scope') ?? 'user';
      const retryAfterMs = Number(h.get('retry-after') ?? 0) * 1000;
      // A route bucket left empty is waited for until it resets; otherwise the client waits retry-after.
      const resetAfter = h.get('x-ratelimit-reset-after');
      const waitMs = !global && h.get('x-ratelimit-remaining') === '0' && resetAfter ? Math.round(Number(resetAfter) * 1000) : retryAfterMs;
      if (await rejects({ global, method: req.method, url: '', route: req.route, majorParameter: '', hash: '', limit: limit ?? Number.POSITIVE_INFINITY, timeToReset: waitMs, retryAfter: retryAfterMs, sublimitTimeout: 0, scope: scope as RateLimitData['scope'] })) return;
      const t = triesOf(req.options.headers);
      onRetry({ platform: 'discord', reason: 'rate_limited', method: req.method.toUpperCase(), route: req.route, status, waitMs, retryAfterMs, attempt: ++t.attempt, limit, global, scope });
    } else if (status >= 500 && status < 600 && req.retries !== retryLimit()) {
      const t = triesOf(req.options.headers);
      t.retries = req.retries + 1;
      onRetry({ platform: 'discord', reason: 'server_error', method: req.method.toUpperCase(), route: req.route, status, waitMs: 0, attempt: ++t.attempt });
    }
  };
  const rejects = async (d: RateLimitData): Promise<boolean> => {
    const r = rest?.options.rejectOnRateLimit;
    if (!r) return false;
    return typeof r === 'function' ? await r(d) : r.some((route) => d.route.startsWith(route.toLowerCase()));
  };

  return {
    options: {
      async makeRequest(url, init) {
        try {
          return await makeRequest(url, init);
        } catch (err) {
          // discord.js retries a timeout (AbortError) and a reset connection, `retries` times.
          if (err instanceof Error && (err.name === 'AbortError' || (err as { code?: unknown }).code === 'ECONNRESET' || err.message.includes('ECONNRESET'))) {
            const t = triesOf(init.headers);
            if (t.retries !== retryLimit()) {
              t.retries++;
              onRetry({ platform: 'discord', reason: 'network', method: (init.method ?? 'GET').toUpperCase(), route: routeOf(url, rest), waitMs: 0, attempt: ++t.attempt, cause: networkCause(err) });
            }
          }
          throw err;
        }
      },
    },
    attach(r) {
      rest = r;
      r.on(RESTEvents.Response, (req, res) => void onResponse(req, res).catch(() => undefined));
    },
  };
}

/**
 * The route template of a request URL, as discord.js names its buckets: snowflakes become `:id`
 * and the token of a webhook or interaction route `:token` (it is a credential), query dropped.
 */
export function routeOf(url: string, rest?: REST): string {
  const base = rest ? `${rest.options.api}/v${rest.options.version}` : '';
  let path = base && url.startsWith(base) ? url.slice(base.length) : (/\/v\d+(\/[^?#]*)/.exec(url)?.[1] ?? '');
  path = path.replace(/[?#].*$/, '').replace(/\d{17,19}/g, ':id');
  return path.replace(/^\/(webhooks|interactions)\/([^/]+)\/[^/]+/, '/$1/$2/:token');
}
