import { hostname } from 'node:os';
import type { Config } from './config/schema.js';
import { secretValues } from './config/load.js';
import { attachCrossVenue } from './engine/composite/index.js';
import type { Sensitivity } from './engine/core/rules.js';
import type { AlertEvent } from './engine/core/types.js';
import { Engine } from './engine/engine.js';
import { EngineBarSource } from './engine/bar-source.js';
import { loadCcxt } from './engine/feeds/ccxt-exchange.js';
import { createFeeds, type FeedSet } from './engine/feeds/create-feeds.js';
import type { ChartPort } from './engine/ports/chart.js';
import { systemClock } from './engine/ports/clock.js';
import type { QueueBackend, RateLimiter } from './engine/ports/queue.js';
import type { Store } from './engine/ports/store.js';
import { StoreRuleSource } from './engine/services/rule-source.js';
import { WindowSnapshots } from './engine/services/snapshots.js';
import { EngineSnapshots } from './engine/snapshot.js';
import { BackgroundTrainer } from './engine/trainers.js';
import { DeliveryPipeline } from './delivery/pipeline.js';
import { createLogger, type Logger } from './ops/log.js';
import { buildBotRole, buildEngineRole, buildWorkerRole, type RoleApp } from './ops/roles.js';
import { ADVANCE_INTERVAL_MS, chatBots, discordDestination, inDoubtReporter, platformRetryReporter, logStreamStatuses, resumeFromWindows, mountTelegramWebhook, outboundDestinations, startBots, staticRoutes, type Role } from './ops/compose.js';
import { AppMetrics } from './ops/metrics.js';
import { AllLockTable, AllRoleLock, RoleConflictError } from './ops/singleton.js';
import { EXIT_USAGE } from './cli/main.js';
import { connectRedis, type RedisClient } from './store/redis-client.js';
import { RedisStore } from './store/redis.js';
import { MemoryStore } from './store/memory.js';
import { BullQueueBackend } from './queue/bullmq.js';
import { InProcessQueueBackend } from './queue/memory.js';
import { MemoryRateLimiter, RedisRateLimiter } from './queue/rate-limit.js';
import { RenderPool } from './render/index.js';
import { createHttpApp, listen, type RunningServer } from './web/server.js';
import { mountDashboard } from './web/dashboard.js';
import { deliveryFailuresFromMetrics } from './web/status.js';
import type { CommandServices } from '../commands/framework.js';
import { AlertLog } from './engine/services/alerts.js';
import { SubscriptionService, type SymbolResolver } from './engine/services/subscriptions.js';
import { CompositePrices, EngineProximity, KnownSymbols, RenderedCharts, ReplayPreview, StatusReport, engineSymbols, lastAlertOf } from './bot/shared/sources.js';

export { ADVANCE_INTERVAL_MS } from './ops/compose.js';
/** Shutdown waits this long for in-flight work before it gives up and exits anyway. */
export const SHUTDOWN_TIMEOUT_MS = 15_000;
/** Hosts a dashboard may bind without a token. */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Everything the running product is made of, for the shutdown path and for tests. */
export interface App {
  cfg: Config;
  log: Logger;
  engine: Engine;
  feeds: FeedSet;
  store: Store;
  queues: QueueBackend;
  pipeline: DeliveryPipeline;
  charts: ChartPort & { close(): Promise<void> };
  metrics: AppMetrics;
  http: RunningServer;
  /** Stops taking work, flushes state, closes connections. Resolves when done. */
  stop(reason: string): Promise<void>;
  /**
   * Resolves (with the reason) when the app stopped itself and the process should exit non-zero
   * so that a supervisor restarts it: the `--role all` lock was lost (src/ops/singleton.ts).
   */
  halted: Promise<string>;
}

/**
 * Builds every real client from the config and starts them: the composition root. Nothing else
 * in the product constructs vendor clients or reads the environment.
 */
export async function buildApp(cfg: Config, opts: { log?: Logger } = {}): Promise<App> {
  const log = opts.log ?? createLogger({ level: cfg.log.level, secrets: secretValues(cfg) });
  const clock = systemClock;
  const metrics = new AppMetrics();
  const onError = (err: unknown, context: string) => log.error({ err, context }, `${context} failed`);

  if (!LOOPBACK.has(cfg.http.host) && !cfg.secrets.dashboardToken) {
    throw new Error(`http.host is ${cfg.http.host}, which is not loopback: set TICKWATCH_DASHBOARD_TOKEN to protect the dashboard, or bind 127.0.0.1`);
  }

  // State and queues: Redis when configured, else embedded in memory.
  let redis: RedisClient | null = null;
  let store: Store;
  let queues: QueueBackend;
  let limiter: RateLimiter;
  // One `--role all` per Redis prefix, never beside engines of that prefix: the lock is taken
  // before anything starts, so that a refusal leaves nothing behind.
  let lock: AllRoleLock | null = null;
  let lostReason: string | null = null;
  let stopSelf: ((reason: string) => Promise<void>) | null = null;
  let halt: (reason: string) => void = () => {};
  const halted = new Promise<string>((r) => (halt = r));
  // The feeds need ccxt (markets, the long tail); loading it blocks the event loop for a second or
  // more, which must come before the lock's renewals start, not between them.
  if (Object.keys(cfg.exchanges).length > 0) await loadCcxt();
  if (cfg.store.url) {
    const conn = { url: cfg.store.url };
    redis = connectRedis(conn);
    redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
    lock = new AllRoleLock(
      new AllLockTable(redis, cfg.store.prefix),
      { ttlMs: cfg.cluster.leaseTtlMs, renewMs: cfg.cluster.renewMs },
      {
        log,
        onLost: (holder) => {
          lostReason = '--role all lock lost';
          log.error({ prefix: cfg.store.prefix, id: lock?.id, holder }, `the --role all lock of this Redis prefix is ${holder ? `held by ${holder}` : 'gone'}: this process stops alerting and exits`);
          halt(lostReason);
          void stopSelf?.(lostReason);
        },
      },
    );
    try {
      await lock.acquire();
    } catch (err) {
      await redis.quit().catch(() => redis?.disconnect());
      throw err;
    }
    store = new RedisStore(redis, { prefix: cfg.store.prefix });
    queues = BullQueueBackend.connect(conn, { prefix: cfg.store.prefix, onError });
    limiter = new RedisRateLimiter(redis, cfg.store.prefix);
    log.info({ store: 'redis', prefix: cfg.store.prefix }, 'state in Redis');
  } else {
    store = new MemoryStore(clock);
    queues = new InProcessQueueBackend();
    limiter = new MemoryRateLimiter();
    log.info({ store: 'memory' }, 'no store.url / REDIS_URL: state is kept in memory and lost on restart');
  }

  // Where alerts go: the console always; webhooks and mail from config; chat platforms when their token is set.
  const routes = staticRoutes(cfg);
  const outbound = outboundDestinations(cfg);
  const destinations = outbound.destinations;

  const rules = new StoreRuleSource(store, { everywhere: routes.map((r) => r.thresholds), onError });
  await rules.start();

  const trainer = new BackgroundTrainer((err) => onError(err, 'model training'));
  let pipeline: DeliveryPipeline | null = null;
  const engine = new Engine({
    options: cfg.engine,
    clock,
    rules,
    // The pipeline needs the engine's bars for charts; the engine needs the pipeline's sink.
    // Fencing: no alert leaves once the `--role all` lock is lost or past its local deadline.
    sink: {
      publish: (a: AlertEvent) => {
        if (lock && !lock.holds()) {
          log.warn({ alert: a.id, venue: a.venue, symbol: a.symbol }, 'alert dropped: this process does not hold the --role all lock');
          return;
        }
        return pipeline!.sink.publish(a);
      },
    },
    trainer,
    onError,
  });
  engine.onAlert((a) => {
    metrics.alertFired(a);
    log.info({ alert: a.id, venue: a.venue, symbol: a.symbol, direction: a.direction, pct: a.change.pct, score: a.score }, 'alert');
  });
  const bars = new EngineBarSource(engine);

  const charts = new RenderPool({ size: cfg.render.workers, cacheEntries: cfg.render.cacheEntries, onError });

  const feeds = createFeeds({ exchanges: { ...cfg.exchanges } }, engine, {
    clock,
    log,
    resumeFrom: resumeFromWindows(engine),
  });
  const cross = attachCrossVenue(engine, { statuses: feeds });
  logStreamStatuses(feeds, log);

  // The chat commands' services over the store, the engine and the renderer.
  const resolveSymbol: SymbolResolver = (input, venue) => feeds.catalog.lookup(input, venue);
  const subscriptions = new SubscriptionService({
    store,
    clock,
    resolveSymbol,
    limits: cfg.limits,
    defaultSensitivity: cfg.alerts.sensitivity as Sensitivity,
    onChange: () => void rules.refresh().then(() => streamWatchedPairs()),
  });
  /** A pair someone watches is streamed on every configured venue that lists it, warmed from REST. */
  const streamWatchedPairs = async () => {
    const wanted = new Set((await store.allSubscriptions()).filter((x) => !x.paused).map((x) => `${x.venue ?? ''}\u0000${x.symbol}`));
    const running = new Set(feeds.statuses().map((x) => `${x.venue}\u0000${x.symbol}`));
    for (const key of wanted) {
      const [venue, symbol] = key.split('\u0000');
      for (const v of venue ? [venue] : feeds.catalog.venues) {
        if (running.has(`${v}\u0000${symbol}`)) continue;
        const r = await feeds.catalog.lookup(symbol, v).catch(() => null);
        if (!r?.ok) continue;
        try {
          feeds.watch(v, symbol);
          running.add(`${v}\u0000${symbol}`);
        } catch (err) {
          log.warn({ venue: v, symbol, err: (err as Error).message }, 'cannot stream a watched pair');
        }
      }
    }
  };
  const alertLog = new AlertLog(store);
  const services: CommandServices = {
    subscriptions,
    alerts: alertLog,
    prices: new CompositePrices(cross.book, feeds),
    symbols: new KnownSymbols(resolveSymbol, engineSymbols(engine)),
    charts: new RenderedCharts(bars, charts, alertLog, () => clock.now()),
    preview: new ReplayPreview(bars, { renderer: charts }),
    proximity: new EngineProximity(engine),
    status: new StatusReport({
      feeds: () => feeds.statuses(),
      lastAlert: lastAlertOf(engine),
      store: store.kind,
      startedAt: clock.now(),
      queueDepth: async () => (await pipeline!.status(0)).reduce((n, q) => n + q.counts.waiting + q.counts.active + q.counts.delayed, 0),
    }),
  };

  // Chat platforms whose token is set.
  // One reporter for every chat client of this process: their own retries are logged and counted.
  const onRetry = platformRetryReporter(log, metrics);
  const chat = chatBots(cfg, services, clock, onError, (c, why) => subscriptions.pauseChat(c.platform, c.chatId, why), onRetry);
  const bots = chat.bots;
  if (chat.telegram) destinations.push(chat.telegram.destination);
  const discordOut = discordDestination(cfg, store, clock, onError, onRetry);
  if (discordOut) destinations.push(discordOut);

  pipeline = new DeliveryPipeline({
    store,
    queues,
    limiter,
    clock,
    destinations,
    routes,
    chart: { renderer: charts, bars },
    onError,
    onDeadLetter: (queue, job, err) => log.error({ queue, job: job.id, err }, 'delivery gave up: dead letter'),
    onInDoubt: inDoubtReporter(log, metrics),
  });

  // Window snapshots: restored before the feeds start, then topped up by their backfill.
  const snapshots = new WindowSnapshots(store, new EngineSnapshots(engine, clock), onError);
  const restored = await snapshots.restoreAll();
  if (restored.restored || restored.unusable.length) log.info(restored, 'window snapshots restored');


  registerMetrics(metrics, engine, feeds, pipeline, trainer);

  const app = createHttpApp({
    metrics,
    health: {
      async check() {
        const checks: Record<string, { ok: boolean; detail?: string }> = {};
        if (redis) {
          try {
            await redis.ping();
            checks.store = { ok: true, detail: 'redis' };
          } catch (err) {
            checks.store = { ok: false, detail: (err as Error).message };
          }
        } else checks.store = { ok: true, detail: 'memory' };
        const live = feeds.statuses().filter((s) => s.status === 'live').length;
        checks.feeds = { ok: live > 0, detail: `${live} live streams` };
        return { ready: Object.values(checks).every((c) => c.ok), checks };
      },
    },
  });
  const dashboard = mountDashboard(app, {
    engine,
    feeds: [feeds],
    alerts: store,
    charts,
    bars,
    composite: (symbol) => cross.composite(symbol),
    ops: { queues: () => pipeline!.status(), deliveryFailures: deliveryFailuresFromMetrics(metrics), subscriptions: () => store.allSubscriptions() },
    clock,
    auth: { host: cfg.http.host, token: cfg.secrets.dashboardToken },
    secrets: secretValues(cfg),
    log,
  });
  const webhook = chat.telegram && cfg.telegram.mode === 'webhook' ? mountTelegramWebhook(app, chat.telegram, cfg, log) : null;
  const http = await listen(app, cfg.http.host, cfg.http.port);
  log.info({ host: cfg.http.host, port: http.port }, `http: dashboard at http://${cfg.http.host}:${http.port}/, /healthz, /metrics`);

  pipeline.start();
  snapshots.start();
  await feeds.start();
  for (const p of feeds.problems) log.error(p, p.message);
  await streamWatchedPairs().catch((err: unknown) => onError(err, 'streaming watched pairs'));
  await startBots(bots, webhook, log);
  const advance = setInterval(() => engine.advance(clock.now()), ADVANCE_INTERVAL_MS);
  log.info({ host: hostname(), venues: feeds.feeds.length, streams: feeds.statuses().length, ...(lock ? { id: lock.id } : {}) }, 'tickwatch running');

  let stopping: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log.info({ reason }, 'shutting down');
      clearInterval(advance);
      const step = async (name: string, fn: () => Promise<unknown> | unknown) => {
        try {
          await fn();
        } catch (err) {
          log.warn({ err, step: name }, `shutdown: ${name} failed`);
        }
      };
      for (const b of bots) await step(`${b.name} bot`, () => b.stop());
      await step('feeds', () => feeds.stop());
      await step('cross-venue', () => cross.detach());
      await step('engine', () => engine.flush());
      await step('snapshots', () => snapshots.stop());
      await step('delivery', () => pipeline!.close());
      await step('mail', () => outbound.close());
      await step('queues', () => queues.close());
      await step('charts', () => charts.close());
      await step('rules', () => rules.stop?.());
      await step('dashboard', () => dashboard.close());
      await step('http', () => http.close());
      // Last before the connection closes: a successor may start as soon as the lock is gone.
      if (lock) await step('lock', () => lock!.release());
      await step('store', () => store.close());
      if (redis) await step('redis', () => redis!.quit());
      log.info('stopped');
      log.flush?.();
    })();
    return stopping;
  };
  stopSelf = stop;
  // Lost while starting: stop now.
  if (lostReason) void stop(lostReason);

  return { cfg, log, engine, feeds, store, queues, pipeline, charts, metrics, http, stop, halted };
}

function registerMetrics(metrics: AppMetrics, engine: Engine, feeds: FeedSet, pipeline: DeliveryPipeline, trainer: BackgroundTrainer): void {
  const byVenue = (pick: (c: { ticks: number; late: number; duplicates: number }) => number) => () => {
    const m = new Map<string, number>();
    for (const s of engine.streams()) m.set(s.venue, (m.get(s.venue) ?? 0) + pick(s.counters));
    return [...m].map(([venue, value]) => ({ labels: { venue }, value }));
  };
  metrics.counter('tickwatch_ticks_total', 'Trades taken in by the engine, by venue', ['venue'], byVenue((c) => c.ticks));
  metrics.counter('tickwatch_late_ticks_total', 'Trades dropped as too late for their bar, by venue', ['venue'], byVenue((c) => c.late));
  metrics.counter('tickwatch_duplicate_ticks_total', 'Repeated trades dropped, by venue', ['venue'], byVenue((c) => c.duplicates));
  metrics.gauge('tickwatch_streams', 'Streams by venue and feed status', ['venue', 'status'], () => {
    const m = new Map<string, number>();
    for (const s of feeds.statuses()) m.set(`${s.venue}\u0000${s.status}`, (m.get(`${s.venue}\u0000${s.status}`) ?? 0) + 1);
    return [...m].map(([k, value]) => {
      const [venue, status] = k.split('\u0000');
      return { labels: { venue, status }, value };
    });
  });
  metrics.counter('tickwatch_feed_dropped_frames_total', 'Malformed or unexpected frames dropped, by venue and kind', ['venue', 'kind'], () =>
    Object.entries(feeds.counters()).flatMap(([venue, c]) => Object.entries(c.dropped).map(([kind, value]) => ({ labels: { venue, kind }, value }))),
  );
  metrics.counter('tickwatch_feed_reconnects_total', 'Connections lost and re-established, by venue', ['venue'], () =>
    Object.entries(feeds.counters()).map(([venue, c]) => ({ labels: { venue }, value: c.disconnects })),
  );
  metrics.gauge('tickwatch_trainer_pending', 'Model trainings waiting', [], () => [{ labels: {}, value: trainer.pending }]);
  let queueCache: { at: number; rows: { labels: Record<string, string>; value: number }[] } = { at: 0, rows: [] };
  // Queue depths are read asynchronously between scrapes (prometheus collectors are synchronous here).
  const refreshQueues = () =>
    pipeline
      .status(0)
      .then((qs) => {
        queueCache = {
          at: Date.now(),
          rows: qs.flatMap((q) => Object.entries(q.counts).map(([state, value]) => ({ labels: { queue: q.name, state }, value: Number(value) }))),
        };
      })
      .catch(() => {});
  const t = setInterval(refreshQueues, 5_000);
  t.unref();
  void refreshQueues();
  metrics.gauge('tickwatch_queue_jobs', 'Jobs by queue and state', ['queue', 'state'], () => queueCache.rows);
}

/**
 * Builds one role: `all` is the whole product in one process (buildApp, Redis optional); `engine`,
 * `bot` and `worker` are the split roles of a scaled deployment (src/ops/roles.ts, Redis required).
 */
export async function buildRole(cfg: Config, role: Role, opts: { log?: Logger } = {}): Promise<App | RoleApp> {
  if (role === 'all') return buildApp(cfg, opts);
  const log = opts.log ?? createLogger({ level: cfg.log.level, secrets: secretValues(cfg) });
  const metrics = new AppMetrics();
  if (role === 'engine') return buildEngineRole(cfg, log, metrics);
  if (role === 'worker') return buildWorkerRole(cfg, log, metrics);
  return buildBotRole(cfg, log, metrics);
}

/**
 * `tickwatch run`: builds the app, runs until SIGTERM or SIGINT, shuts down cleanly. Resolves with
 * the exit code.
 */
export async function startApp(cfg: Config, role: Role = 'all'): Promise<number> {
  const log = createLogger({ level: cfg.log.level, secrets: secretValues(cfg) }).child({ role });
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection (contained)'));
  let app: App | RoleApp;
  try {
    app = await buildRole(cfg, role, { log });
  } catch (err) {
    if (err instanceof RoleConflictError) {
      log.error({ prefix: err.prefix, blocker: err.blocker }, err.message);
      process.stderr.write(`tickwatch: ${err.message}\n`);
      return EXIT_USAGE;
    }
    log.fatal({ err }, 'could not start');
    process.stderr.write(`tickwatch: could not start: ${(err as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let signals = 0;
    /** Stops the app (within SHUTDOWN_TIMEOUT_MS) and resolves with `code`. */
    const stopWith = (reason: string, code: number) => {
      const timer = setTimeout(() => {
        log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown took too long: exiting');
        resolve(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      app.stop(reason).then(
        () => {
          clearTimeout(timer);
          resolve(code);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) {
        log.warn({ signal: sig }, 'second signal: exiting now');
        resolve(1);
        return;
      }
      stopWith(sig, 0);
    };
    // The app stopped itself (the `--role all` lock was lost): exit non-zero for the supervisor.
    if ('halted' in app) void app.halted.then((reason) => stopWith(reason, 1));
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
