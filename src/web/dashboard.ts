import { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { OpenAPIHono, createRoute, z, type Hook } from '@hono/zod-openapi';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { secretScrubber } from '../ops/log.js';
import { StaticFiles } from './assets.js';
import { TokenAuth, assertDashboardBind } from './auth.js';
import type { DashboardDeps } from './deps.js';
import { LiveHub } from './live.js';
import { dashboardOptions, type DashboardOptions } from './options.js';
import { ReadModel } from './read-model.js';
import { Alert, AlertsResponse, ApiError, BarsResponse, StatusResponse, StreamsResponse, SymbolParam, VenueParam, querySchemas, type BarsT } from './schemas.js';
import { OpsStatus } from './status.js';

/** The pages, each one static HTML file of assets/web. */
export const PAGES: Readonly<Record<string, string>> = { '/': 'index.html', '/pair': 'pair.html', '/alerts': 'alerts.html', '/status': 'status.html' };
/** A login form is a few hundred bytes; anything much bigger is not one. */
const LOGIN_BODY_LIMIT = 4096;
/** An unknown API path is quoted back in its 404 up to this many characters. */
const API_PATH_ECHO_MAX = 200;

/**
 * No inline script or style, nothing from elsewhere, no framing. Chart.js draws on canvas and sets
 * element styles through the CSSOM, which this policy allows.
 */
const CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  manifestSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

export interface Dashboard {
  readonly hub: LiveHub;
  readonly model: ReadModel;
  readonly options: DashboardOptions;
  /** Stops listening to the engine and the feeds and closes every event stream. */
  close(): void;
}

/** A 400 that names each bad parameter and the rule it broke. */
const badRequest: Hook<unknown, Env, string, unknown> = (result, c) => {
  if (result.success) return;
  const where = result.target === 'param' ? 'path' : result.target;
  const issues = result.error.issues.map((i) => ({ in: where, parameter: String(i.path[0] ?? '(all)'), rule: i.code, message: i.message }));
  const message = issues.map((i) => `${i.in} parameter "${i.parameter}": ${i.message}`).join('; ');
  return c.json({ error: 'bad_request', message, issues }, 400);
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(ApiError, 'A parameter is not valid: the body names it and the rule.'),
  401: json(ApiError, 'A dashboard token is configured and the request did not carry it.'),
  429: json(ApiError, 'Too many wrong tokens from this address.'),
};
const notFound = json(ApiError, 'No such stream, alert or chart.');

const AlertId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s/]+$/, 'expected an alert id (no spaces or slashes)')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'binance-BTCUSDT-1754923920000-up-1a2b3c4d' });

/**
 * Mounts the dashboard on the HTTP app: the pages, their static files, the read-only JSON API with
 * its OpenAPI document, and the live event stream. Throws DashboardConfigError when the address
 * it would be served on needs a token and none is configured.
 */
export function mountDashboard(app: OpenAPIHono, deps: DashboardDeps, files: StaticFiles = new StaticFiles()): Dashboard {
  assertDashboardBind(deps.auth);
  const opt = dashboardOptions(deps.options);
  const scrub = secretScrubber(deps.secrets.concat(deps.auth.token));
  const model = new ReadModel(deps, opt);
  const hub = new LiveHub(model, deps.clock, opt, scrub);
  const ops = new OpsStatus(deps.ops, scrub, deps.log);
  const auth = new TokenAuth(deps.auth, opt, () => deps.clock.now());
  const q = querySchemas(opt);
  const web = new OpenAPIHono({ defaultHook: badRequest });

  const guarded = ['/', '/pair', '/alerts', '/status', '/login', '/logout', '/assets/*', '/api/*'];
  const headers = secureHeaders({ contentSecurityPolicy: CSP, xFrameOptions: 'DENY', strictTransportSecurity: false });
  for (const p of guarded) web.use(p, headers, auth.middleware);
  web.use('/api/*', noStore, compress(), scrubJson(scrub));
  web.onError((err, c) => {
    // Refusals by middleware (a cross-site form post, a body too large) keep their own status.
    if (err instanceof HTTPException) return c.json({ error: 'refused', message: err.message || 'request refused' }, err.status);
    deps.log?.error({ err: scrub(String(err)), path: c.req.path }, 'dashboard request failed');
    return c.json({ error: 'internal', message: 'the dashboard could not answer this request; the log says why' }, 500);
  });

  for (const [path, file] of Object.entries(PAGES)) web.get(path, (c) => files.serve(c, file));
  web.get('/login', (c) => (auth.enabled ? files.serve(c, 'login.html') : c.redirect('/', 303)));
  web.post('/login', csrf(), bodyLimit({ maxSize: LOGIN_BODY_LIMIT }), (c) => auth.login(c));
  web.post('/logout', csrf(), (c) => auth.logout(c));
  web.get('/assets/*', (c) => files.serve(c, c.req.path.slice('/assets/'.length)));

  web.openapi(
    createRoute({
      method: 'get',
      path: '/api/streams',
      summary: 'Every stream: last price, changes, feed status, anomaly score; and each symbol\'s cross-venue composite.',
      request: { query: q.streams },
      responses: { 200: json(StreamsResponse, 'Streams and symbols.'), ...errors },
    }),
    (c) => {
      const { venue, symbol } = c.req.valid('query');
      const sym = symbol === undefined ? undefined : model.symbol(symbol);
      const streams = model.streamRows({ venue, symbol: sym });
      const symbols = model.symbolRows(new Set(streams.map((s) => s.symbol)));
      const o = deps.engine.options;
      return c.json({ now: deps.clock.now(), shortBarMs: o.shortBarMs, longBarMs: o.longBarMs, scoreTrailBucketMs: opt.scoreTrailBucketMs, scoreTrailPoints: opt.scoreTrailPoints, sparkPoints: opt.sparkPoints, staleAfterMs: opt.staleAfterMs, streams, symbols }, 200);
    },
  );

  web.openapi(
    createRoute({
      method: 'get',
      path: '/api/streams/{venue}/{symbol}/bars',
      summary: 'Bars of one stream from the engine\'s live windows.',
      request: { params: z.object({ venue: VenueParam, symbol: SymbolParam }), query: q.bars },
      responses: { 200: json(BarsResponse, 'Bars as columns.'), 404: notFound, ...errors },
    }),
    (c) => {
      const { venue, symbol } = c.req.valid('param');
      const { res, from, to } = c.req.valid('query');
      const sym = model.symbol(symbol);
      const s = deps.engine.find(venue, sym);
      if (!s) return c.json({ error: 'not_found', message: `no stream ${venue} ${sym}` }, 404);
      const o = deps.engine.options;
      const long = res === '1m';
      const barMs = long ? o.longBarMs : o.shortBarMs;
      const end = to ?? deps.clock.now() + barMs;
      const start = from ?? end - (long ? o.longBars : o.shortBars) * barMs;
      if (start > end) {
        return c.json({ error: 'bad_request', message: 'query parameter "from": must not be after "to"', issues: [{ in: 'query', parameter: 'from', rule: 'from_after_to', message: 'must not be after "to"' }] }, 400);
      }
      const bars = s.bars(long ? 'long' : 'short', start, end);
      const cols: BarsT['bars'] = { ts: [], open: [], high: [], low: [], close: [], volume: [], quoteVolume: [], trades: [] };
      for (const b of bars) {
        cols.ts.push(b.ts);
        cols.open.push(b.open);
        cols.high.push(b.high);
        cols.low.push(b.low);
        cols.close.push(b.close);
        cols.volume.push(b.volume);
        cols.quoteVolume.push(b.quoteVolume);
        cols.trades.push(b.trades);
      }
      return c.json({ venue, symbol: sym, res, barMs, from: start, to: end, bars: cols }, 200);
    },
  );

  web.openapi(
    createRoute({
      method: 'get',
      path: '/api/alerts',
      summary: 'Alert history, newest first.',
      request: { query: q.alerts },
      responses: { 200: json(AlertsResponse, 'Alerts.'), ...errors },
    }),
    async (c) => {
      const p = c.req.valid('query');
      const alerts = await model.listAlerts({
        symbol: p.symbol === undefined ? undefined : model.symbol(p.symbol),
        venue: p.venue,
        since: p.since,
        limit: p.limit ?? opt.alertsDefaultLimit,
        direction: p.direction,
        minScore: p.minScore,
      });
      return c.json({ alerts }, 200);
    },
  );

  web.openapi(
    createRoute({
      method: 'get',
      path: '/api/alerts/{id}',
      summary: 'One alert.',
      request: { params: z.object({ id: AlertId }) },
      responses: { 200: json(Alert, 'The alert.'), 404: notFound, ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const a = await model.findAlert(id);
      if (!a) return c.json({ error: 'not_found', message: `no alert ${id} (unknown, or older than the history keeps)` }, 404);
      return c.json(model.alert(a), 200);
    },
  );

  web.openapi(
    createRoute({
      method: 'get',
      path: '/api/alerts/{id}/chart.png',
      summary: 'The alert\'s chart: the one delivered to chat, or drawn now from the live windows.',
      request: { params: z.object({ id: AlertId }) },
      responses: {
        200: { content: { 'image/png': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } }, description: 'PNG.' },
        404: notFound,
        ...errors,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const a = await model.findAlert(id);
      if (!a) return c.json({ error: 'not_found', message: `no alert ${id} (unknown, or older than the history keeps)` }, 404);
      let png = await deps.alerts.getChart(id);
      if (!png && deps.charts && deps.bars) {
        const series = deps.bars.seriesAround(a, opt.chartBeforeMs, opt.chartAfterMs);
        if (series.length > 0) png = await deps.charts.renderAlert({ alert: a, series });
      }
      if (!png) return c.json({ error: 'not_found', message: `no chart for alert ${id}: none was stored and its bars are no longer kept` }, 404);
      return c.body(png as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'image/png', 'cache-control': 'private, max-age=3600' });
    },
  );

  web.openapi(
    createRoute({
      method: 'get',
      path: '/api/status',
      summary: 'Feeds, queues, delivery failures and subscription counts.',
      responses: { 200: json(StatusResponse, 'Status.'), ...errors },
    }),
    async (c) => {
      const now = deps.clock.now();
      const { feeds, engine } = model.feedStatus();
      const rest = await ops.read(now);
      return c.json({ now, feeds, engine, ...rest, live: { clients: hub.stats().clients, maxClients: opt.maxClients } }, 200);
    },
  );

  web.openapi(
    createRoute({
      method: 'get',
      path: '/api/events',
      summary: 'Live changes as Server-Sent Events: `update` events whose data is a JSON batch {now, streams, statuses, alerts, symbols}; each status is {venue, symbol, status, feedStatus, since, reason}, `status` as in /api/streams.',
      request: { query: q.events },
      responses: {
        200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'An endless event stream; heartbeats are comment lines.' },
        503: json(ApiError, 'Too many live clients; retry later.'),
        ...errors,
      },
    }),
    (c) => {
      const { symbol } = c.req.valid('query');
      const sym = symbol === undefined ? undefined : model.symbol(symbol);
      const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
      if (outgoing instanceof ServerResponse) {
        // Written straight to the socket; the server is told the answer has been sent.
        if (hub.attach(sym, outgoing)) return RESPONSE_ALREADY_SENT;
      } else {
        const res = hub.connect(sym);
        if (res) return res;
      }
      c.header('Retry-After', String(Math.ceil(opt.retryMs / 1000)));
      return c.json({ error: 'unavailable', message: `the dashboard serves ${opt.maxClients} live clients at most; retry later` }, 503);
    },
  );

  web.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'tickwatch dashboard API',
      version: '1',
      description:
        'Read-only. Symbols in paths and queries: BTC-USDT (the `/` written as `-`) or BTC%2FUSDT. Times: epoch milliseconds or ISO-8601. When a dashboard token is configured, send it as `Authorization: Bearer <token>`.',
    },
  });
  web.all('/api/*', (c) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') {
      c.header('Allow', 'GET, HEAD');
      return c.json({ error: 'method_not_allowed', message: `the API is read-only: ${method} is not served, only GET and HEAD` }, 405);
    }
    const path = c.req.path;
    const shown = path.length > API_PATH_ECHO_MAX ? `${path.slice(0, API_PATH_ECHO_MAX)}…` : path;
    return c.json({ error: 'not_found', message: `no API route ${method} ${shown}` }, 404);
  });

  app.route('/', web);
  model.start(hub.events);
  return {
    hub,
    model,
    options: opt,
    close: () => {
      model.stop();
      hub.close();
    },
  };
}

/** API answers are live data: never cached by the browser or a proxy. */
const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
};

/** A last guard: no configured secret leaves in a JSON answer, whatever a component put in it. */
function scrubJson(scrub: (s: string) => string): MiddlewareHandler {
  return async (c: Context, next) => {
    await next();
    if (!(c.res.headers.get('content-type') ?? '').startsWith('application/json')) return;
    const text = await c.res.text();
    c.res = new Response(scrub(text), { status: c.res.status, headers: c.res.headers });
  };
}
