/**
 * The split roles of `tickwatch run --role engine|bot|worker` (docs/ops.md). Every role needs
 * Redis: the engines share the streams through leases (./leases.ts) and publish alerts to the
 * render queue; workers render and deliver; bots answer commands from what the engines keep in
 * Redis (window snapshots, alert history, the market board).
 */
import { hostname } from 'node:os';
import type { CommandServices } from '../../commands/framework.js';
import type { Config } from '../config/schema.js';
import { attachCrossVenue } from '../engine/composite/index.js';
import type { Sensitivity } from '../engine/core/rules.js';
import { parseStreamId, streamId, type AlertEvent, type StreamKey, type Tick } from '../engine/core/types.js';
import { Engine } from '../engine/engine.js';
import { loadCcxt } from '../engine/feeds/ccxt-exchange.js';
import { createFeeds } from '../engine/feeds/create-feeds.js';
import { engineOptions } from '../engine/options.js';
import { systemClock } from '../engine/ports/clock.js';
import type { TickSink } from '../engine/ports/tick-sink.js';
import type { WindowSnapshot } from '../engine/ports/store.js';
import { AlertLog } from '../engine/services/alerts.js';
import { StoreRuleSource } from '../engine/services/rule-source.js';
import { WindowSnapshots } from '../engine/services/snapshots.js';
import { SubscriptionService, type SymbolResolver } from '../engine/services/subscriptions.js';
import { EngineSnapshots } from '../engine/snapshot.js';
import { BackgroundTrainer } from '../engine/trainers.js';
import { RENDER_QUEUE } from '../delivery/address.js';
import { DeliveryPipeline } from '../delivery/pipeline.js';
import { RenderPool } from '../render/index.js';
import { createHttpApp, listen, type HealthSource, type RunningServer } from '../web/server.js';
import { KnownSymbols, RenderedCharts, ReplayPreview } from '../bot/shared/sources.js';
import { ADVANCE_INTERVAL_MS, chatBots, discordDestination, inDoubtReporter, platformRetryReporter, logStreamStatuses, resumeFromWindows, mountTelegramWebhook, startBots, outboundDestinations, redisCheck, redisParts, staticRoutes, telegramDestination, type RedisParts, type Role } from './compose.js';
import { LeaseTable, StreamOwnership, engineId, handoverBoundMs } from './leases.js';
import type { Logger } from './log.js';
import { BoardReader, MarketBoard, type BoardLine } from './market-board.js';
import type { AppMetrics } from './metrics.js';
import { AllLockTable, admitEngine } from './singleton.js';
import { SnapshotBarSource } from './snapshot-bars.js';
import { PROXIMITY_STALE_PERIODS, SnapshotProximity } from './snapshot-proximity.js';

/** Alerts of a stream read back when an engine takes it over, to carry their cooldowns across. */
export const HANDOVER_HISTORY = 20;
/** How often an engine re-reads which streams should be watched (subscriptions also trigger it). */
export const UNIVERSE_REFRESH_MS = 30_000;

/** A running split role. */
export interface RoleApp {
  role: Exclude<Role, 'all'>;
  log: Logger;
  http: RunningServer;
  /** The engine role's stream ownership. */
  ownership?: StreamOwnership | undefined;
  stop(reason: string): Promise<void>;
}

type OnError = (err: unknown, context: string) => void;

interface Step {
  name: string;
  run: () => Promise<unknown> | unknown;
}

/** Runs shutdown steps in order; one failing is logged and the rest still run. */
async function shutdown(log: Logger, reason: string, steps: readonly Step[]): Promise<void> {
  log.info({ reason }, 'shutting down');
  for (const s of steps) {
    try {
      await s.run();
    } catch (err) {
      log.warn({ err, step: s.name }, `shutdown: ${s.name} failed`);
    }
  }
  log.info('stopped');
  log.flush?.();
}

function once(fn: (reason: string) => Promise<void>): (reason: string) => Promise<void> {
  let p: Promise<void> | null = null;
  return (reason) => (p ??= fn(reason));
}

/** Every role's last shutdown steps: its queues, then HTTP, then the store and its Redis client. */
function closingSteps(parts: RedisParts, http: RunningServer): Step[] {
  return [
    { name: 'queues', run: () => parts.queues.close() },
    { name: 'http', run: () => http.close() },
    { name: 'store', run: () => parts.store.close() },
    { name: 'redis', run: () => parts.redis.quit() },
  ];
}

/** /healthz of a role that is ready when its store answers. */
function storeHealth(redis: RedisParts['redis']): HealthSource {
  return {
    async check() {
      const checks = { store: await redisCheck(redis) };
      return { ready: checks.store.ok, checks };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// engine
// ---------------------------------------------------------------------------------------------

/**
 * Ingests and scores the streams this process owns, and puts their alerts on the render queue.
 * Feeds start with no symbols; a stream is subscribed when its lease is taken, warm-started from
 * the window snapshot its previous owner saved (the feed backfills from where it ends), with the
 * cooldowns of the alerts already sent for it, so that a stream changing hands never alerts twice
 * for the same move.
 */
export async function buildEngineRole(cfg: Config, log: Logger, metrics: AppMetrics): Promise<RoleApp> {
  const clock = systemClock;
  const onError: OnError = (err, context) => log.error({ err, context }, `${context} failed`);
  // Before any lease exists: loading ccxt blocks the event loop for a second or more.
  if (Object.keys(cfg.exchanges).length > 0) await loadCcxt();
  const parts = redisParts(cfg, log, onError);
  const { redis, store, queues, limiter } = parts;
  const table = new LeaseTable(redis, cfg.store.prefix);
  const lease = { ttlMs: cfg.cluster.leaseTtlMs, renewMs: cfg.cluster.renewMs };
  // Never beside a `--role all` of this prefix (src/ops/singleton.ts): checked before anything
  // starts, so that a refusal leaves only the connections to close.
  const id = engineId();
  const admission = await admitEngine(new AllLockTable(redis, cfg.store.prefix), table, { id, lease, log, onError }).catch(async (err: unknown) => {
    await queues.close().catch(() => {});
    await redis.quit().catch(() => redis.disconnect());
    throw err;
  });
  const routes = staticRoutes(cfg);
  const rules = new StoreRuleSource(store, { everywhere: routes.map((r) => r.thresholds), onError });
  await rules.start();
  // Only the render queue's producer: rendering and delivery run in the worker role.
  const pipeline = new DeliveryPipeline({ store, queues, limiter, clock, destinations: [], platforms: [], routes, onError });
  const board = new MarketBoard(redis, cfg.store.prefix);
  const trainer = new BackgroundTrainer((err) => onError(err, 'model training'));
  let ownership: StreamOwnership;

  const engine: Engine = new Engine({
    options: cfg.engine,
    clock,
    rules,
    trainer,
    onError,
    sink: { publish: (a: AlertEvent) => track(publishOwned(a)) },
  });
  // Alerts on their way to Redis; shutdown waits for them before it closes the connections.
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>): Promise<void> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };
  const engineSnaps = new EngineSnapshots(engine, clock);
  /**
   * An alert of a stream we own: its windows are saved first (the worker draws the chart from
   * them), then the render job is queued (its id is the alert id: a repeat is a no-op), then the
   * alert is recorded so that a later owner of the stream knows its cooldown.
   */
  const publishOwned = async (a: AlertEvent): Promise<void> => {
    if (!ownership.holds(a.venue, a.symbol)) {
      log.warn({ alert: a.id, venue: a.venue, symbol: a.symbol }, 'alert of a stream this engine no longer owns: left to its new owner');
      return;
    }
    const w = engineSnaps.of(a);
    if (w) await store.saveSnapshots([w]);
    await pipeline.sink.publish(a);
    await store.recordAlert(a, pipeline.options.retention);
    await board.alertPublished(a);
  };
  engine.onAlert((a) => {
    metrics.alertFired(a);
    log.info({ alert: a.id, venue: a.venue, symbol: a.symbol, direction: a.direction, pct: a.change.pct, score: a.score }, 'alert');
  });

  // The engine takes the ticks of the streams that are ready here (owned and warmed). A stream
  // handed back stays subscribed on its feed: its recent ticks are kept in a tail, so that taking
  // it back later fills the gap since the saved windows from what this feed saw meanwhile.
  const ready = new StreamSet();
  const tails = new Map<string, TickTail>();
  const gate: TickSink = {
    ingest: (t, origin) => {
      if (ready.has(t.venue, t.symbol)) return engine.ingest(t, origin);
      const id = streamId(t);
      let tail = tails.get(id);
      if (!tail) tails.set(id, (tail = new TickTail(tailSpanMs(cfg))));
      tail.push(t);
      return 'ok';
    },
    ingestShortBars: (v, s, bars, origin) => (ready.has(v, s) ? engine.ingestShortBars(v, s, bars, origin) : 0),
    ingestLongBars: (v, s, bars) => (ready.has(v, s) ? engine.ingestLongBars(v, s, bars) : 0),
  };
  const exchanges = Object.fromEntries(Object.entries(cfg.exchanges).map(([id, c]) => [id, { ...c, symbols: [] }]));
  const feeds = createFeeds({ exchanges }, gate, {
    clock,
    log,
    resumeFrom: resumeFromWindows(engine),
  });
  const cross = attachCrossVenue(engine, { statuses: feeds });
  logStreamStatuses(feeds, log);
  const subscribed = new Set<string>();

  // Which streams should be watched: the configured pairs and every pair someone watches.
  const resolve = async (input: string, venue: string): Promise<string | null> => {
    try {
      const r = await feeds.catalog.lookup(input, venue);
      return r.ok ? r.symbol : null;
    } catch {
      // Markets unavailable now: a pair written BASE/QUOTE is taken as written.
      return input.includes('/') ? input.trim().toUpperCase() : null;
    }
  };
  let universe: { at: number; version: number; streams: StreamKey[] } | null = null;
  const reported = new Set<string>();
  const wantedStreams = async (): Promise<StreamKey[]> => {
    const version = await store.subscriptionsVersion();
    if (universe && universe.version === version && clock.now() - universe.at < UNIVERSE_REFRESH_MS) return universe.streams;
    const running = new Set(feeds.feeds.map((f) => f.venue));
    const out = new Map<string, StreamKey>();
    const add = (venue: string, symbol: string) => out.set(streamId({ venue, symbol }), { venue, symbol });
    for (const [venue, c] of Object.entries(cfg.exchanges)) {
      if (c.enabled === false || !running.has(venue)) continue;
      for (const input of c.symbols) {
        const symbol = await resolve(input, venue);
        if (symbol) add(venue, symbol);
        else if (!reported.has(`${venue}|${input}`)) {
          reported.add(`${venue}|${input}`);
          log.error({ venue, symbol: input }, `unknown symbol "${input}" on ${venue}`);
        }
      }
    }
    for (const sub of await store.allSubscriptions()) {
      if (sub.paused) continue;
      for (const venue of sub.venue ? [sub.venue] : [...running]) {
        if (!running.has(venue) || out.has(streamId({ venue, symbol: sub.symbol }))) continue;
        const symbol = await resolve(sub.symbol, venue);
        if (symbol) add(venue, symbol);
      }
    }
    const streams = [...out.values()];
    universe = { at: clock.now(), version, streams };
    return streams;
  };

  ownership = new StreamOwnership(table, lease, {
    universe: wantedStreams,
    async acquired(streams) {
      for (const s of streams) {
        const id = streamId(s);
        const [sent, snap] = await Promise.all([store.recentAlerts(s.symbol, HANDOVER_HISTORY, s.venue), store.loadSnapshot(id)]);
        // Lost or handed back while we read: not ours to start.
        if (!ownership.has(s.venue, s.symbol)) continue;
        // From here to `ready` nothing awaits: no tick can slip in between.
        engine.drop(s.venue, s.symbol);
        const st = engine.stream(s.venue, s.symbol);
        // Cooldowns of what was already sent (by any engine), oldest first so the newest wins.
        for (const a of sent.slice().reverse()) {
          for (const rule of a.rules) st.alerts.set(rule, a.direction, { lastTs: a.ts, lastPrice: a.price, lastPct: a.change.pct });
        }
        const restored = snap ? engineSnaps.restore(id, snap) : false;
        // Already subscribed here (taken back after a hand-back): the ticks this feed saw since
        // the saved windows end fill the gap, as a backfill would.
        const tail = tails.get(id);
        tails.delete(id);
        let replayed = 0;
        if (tail && subscribed.has(id)) {
          const from = st.short.length > 0 ? st.short.lastTs + engine.options.shortBarMs : -Infinity;
          for (const t of tail.since(from)) if (engine.ingest(t, 'backfill') === 'ok') replayed++;
        }
        ready.add(s.venue, s.symbol);
        if (!subscribed.has(id)) {
          try {
            feeds.watch(s.venue, s.symbol);
            subscribed.add(id);
          } catch (err) {
            log.warn({ venue: s.venue, symbol: s.symbol, err: (err as Error).message }, 'cannot stream an owned pair');
          }
        }
        log.info({ stream: id, restored, alertsSeen: sent.length, replayed }, 'stream taken');
      }
    },
    async releasing(streams) {
      for (const s of streams) ready.delete(s.venue, s.symbol);
      const snaps = streams.map((s) => engineSnaps.of(s)).filter((w): w is WindowSnapshot => w !== null);
      for (const s of streams) engine.drop(s.venue, s.symbol);
      if (snaps.length) await store.saveSnapshots(snaps);
      await board.remove(streams);
      log.info({ streams: streams.map(streamId) }, 'streams handed back');
    },
    lost(streams) {
      for (const s of streams) {
        ready.delete(s.venue, s.symbol);
        engine.drop(s.venue, s.symbol);
      }
      log.warn({ streams: streams.map(streamId) }, 'stream leases lost: another engine owns them now');
    },
    onError,
  }, { id });

  // Window snapshots of the owned streams only: a stream that moved is its new owner's to save.
  const snapshots = new WindowSnapshots(
    store,
    {
      collect: () =>
        engineSnaps.collect().filter((w) => {
          const k = parseStreamId(w.stream);
          return ownership.holds(k.venue, k.symbol);
        }),
      restore: (id, data) => engineSnaps.restore(id, data),
    },
    onError,
  );

  const publishBoard = async () => {
    const status = new Map(feeds.statuses().map((x) => [streamId(x), x]));
    const now = clock.now();
    const lines: BoardLine[] = [];
    for (const s of ownership.ownedStreams()) {
      const p = cross.book.all(s.symbol).find((x) => x.venue === s.venue);
      const f = status.get(streamId(s));
      const ev = engine.find(s.venue, s.symbol)?.evaluation;
      const score = ev && !ev.warmingUp ? ev.score : undefined;
      lines.push({ venue: s.venue, symbol: s.symbol, price: p?.price, ts: p?.ts, status: f?.status ?? 'backfilling', since: f?.since ?? now, lastTradeTs: f?.lastTradeTs, score, owner: ownership.id, at: now });
    }
    await board.write(lines);
  };

  const app = createHttpApp({
    metrics,
    health: {
      async check() {
        const owned = ownership.ownedStreams();
        const live = feeds.statuses().filter((s) => s.status === 'live' && ready.has(s.venue, s.symbol)).length;
        const checks = {
          store: await redisCheck(redis),
          // An engine owning nothing (more engines than streams) is ready: it stands by.
          feeds: { ok: owned.length === 0 || live > 0, detail: `${live} of ${owned.length} owned streams live` },
        };
        return { ready: Object.values(checks).every((c) => c.ok), checks };
      },
    },
  });
  metrics.gauge('tickwatch_owned_streams', 'Streams this engine holds the lease of', [], () => [{ labels: {}, value: ownership.ownedStreams().length }]);
  metrics.counter('tickwatch_stream_leases_total', 'Stream leases taken, handed back and lost by this engine', ['event'], () => [
    { labels: { event: 'taken' }, value: ownership.counts.taken },
    { labels: { event: 'handed_back' }, value: ownership.counts.handedBack },
    { labels: { event: 'lost' }, value: ownership.counts.lost },
  ]);
  const http = await listen(app, cfg.http.host, cfg.http.port);

  await feeds.start();
  for (const p of feeds.problems) log.error(p, p.message);
  await ownership.start();
  admission.handOver();
  snapshots.start(cfg.cluster.snapshotMs);
  const advance = setInterval(() => engine.advance(clock.now()), ADVANCE_INTERVAL_MS);
  const boardTimer = setInterval(() => void publishBoard().catch((err: unknown) => onError(err, 'market board')), cfg.cluster.boardMs);
  boardTimer.unref();
  log.info(
    { engine: ownership.id, host: hostname(), port: http.port, owned: ownership.snapshot().owned.length, handoverBoundMs: handoverBoundMs(lease) },
    'tickwatch engine running',
  );

  const stop = once((reason) =>
    shutdown(log, reason, [
      { name: 'timers', run: () => (clearInterval(advance), clearInterval(boardTimer)) },
      { name: 'feeds', run: () => feeds.stop() },
      { name: 'cross-venue', run: () => cross.detach() },
      // Bars still open close now and may alert while the leases are still ours.
      { name: 'engine', run: () => engine.flush() },
      { name: 'alerts in flight', run: () => Promise.allSettled([...inFlight]) },
      // Saves the owned windows, then hands every stream back so that the others take them at once.
      { name: 'ownership', run: () => ownership.stop({ release: true }) },
      { name: 'snapshots', run: () => snapshots.stop() },
      { name: 'rules', run: () => rules.stop() },
      ...closingSteps(parts, http),
    ]),
  );
  return { role: 'engine', log, http, ownership, stop };
}

// ---------------------------------------------------------------------------------------------
// worker
// ---------------------------------------------------------------------------------------------

/**
 * Renders and delivers: the render worker draws each alert's chart from the window snapshot its
 * engine saved with it, records the alert and fans out; delivery workers send to every platform
 * configured here (console, webhooks, mail, Telegram and Discord over their APIs).
 */
export async function buildWorkerRole(cfg: Config, log: Logger, metrics: AppMetrics): Promise<RoleApp> {
  const clock = systemClock;
  const onError: OnError = (err, context) => log.error({ err, context }, `${context} failed`);
  const parts = redisParts(cfg, log, onError);
  const { redis, store, queues, limiter } = parts;
  const routes = staticRoutes(cfg);
  const outbound = outboundDestinations(cfg);
  const destinations = [...outbound.destinations];
  const onRetry = platformRetryReporter(log, metrics);
  const tg = telegramDestination(cfg, clock, onRetry);
  if (tg) destinations.push(tg);
  const dc = discordDestination(cfg, store, clock, onError, onRetry);
  if (dc) destinations.push(dc);
  const bars = new SnapshotBarSource(store, engineOptions(cfg.engine));
  const charts = new RenderPool({ size: cfg.render.workers, cacheEntries: cfg.render.cacheEntries, onError });
  const onDeadLetter = (queue: string, job: { id: string }, err: unknown) => log.error({ queue, job: job.id, err }, 'delivery gave up: dead letter');
  const pipeline = new DeliveryPipeline({ store, queues, limiter, clock, destinations, routes, chart: { renderer: charts, bars }, onError, onDeadLetter, onInDoubt: inDoubtReporter(log, metrics) });
  pipeline.startDeliveryWorkers();
  const o = pipeline.options.render;
  const renderWorker = queues.work<AlertEvent>(
    RENDER_QUEUE,
    o,
    async (job) => {
      await bars.load(job.data.symbol, true);
      await pipeline.render(job.data);
    },
    { concurrency: o.concurrency, stallAfterMs: pipeline.options.stallAfterMs, onError, onDeadLetter: (job, err) => onDeadLetter(RENDER_QUEUE, job, err) },
  );
  const app = createHttpApp({
    metrics,
    health: storeHealth(redis),
  });
  registerQueueGauge(metrics, pipeline);
  const http = await listen(app, cfg.http.host, cfg.http.port);
  log.info({ host: hostname(), port: http.port, platforms: destinations.map((d) => d.platform) }, 'tickwatch worker running');
  const stop = once((reason) =>
    shutdown(log, reason, [
      // In-flight jobs finish; waiting ones stay queued for the other workers.
      { name: 'render', run: () => renderWorker.close() },
      { name: 'delivery', run: () => pipeline.close() },
      { name: 'mail', run: () => outbound.close() },
      { name: 'charts', run: () => charts.close() },
      ...closingSteps(parts, http),
    ]),
  );
  return { role: 'worker', log, http, stop };
}

// ---------------------------------------------------------------------------------------------
// bot
// ---------------------------------------------------------------------------------------------

/**
 * The chat adapters, answering from Redis: subscriptions and alert history from the store; prices,
 * feed status and the newest alert from the market board the engines publish; charts and
 * previews from the window snapshots; `list`'s closeness to firing from the window snapshots and
 * the scores on the board (marked "as of" when the snapshot is stale).
 */
export async function buildBotRole(cfg: Config, log: Logger, metrics: AppMetrics): Promise<RoleApp> {
  const clock = systemClock;
  const onError: OnError = (err, context) => log.error({ err, context }, `${context} failed`);
  const parts = redisParts(cfg, log, onError);
  const { redis, store, queues, limiter } = parts;
  // Markets only, for symbol names: the feeds are never started here.
  const noTicks: TickSink = { ingest: () => 'ok', ingestShortBars: () => 0, ingestLongBars: () => 0 };
  const feeds = createFeeds({ exchanges: { ...cfg.exchanges } }, noTicks, { clock, log });
  // Loaded now, in the background: otherwise the first command after a start waits for ccxt and
  // each venue's whole market list (seconds on a busy machine; a Telegram webhook answer has 10).
  void feeds.catalog.refresh();
  const resolveSymbol: SymbolResolver = (input, venue) => feeds.catalog.lookup(input, venue);
  const board = new MarketBoard(redis, cfg.store.prefix);
  const reader = new BoardReader(board, cfg.cluster.boardMs);
  const options = engineOptions(cfg.engine);
  const bars = new SnapshotBarSource(store, options, cfg.cluster.snapshotMs / 2);
  const proximity = new SnapshotProximity(bars, options, reader, { staleAfterMs: PROXIMITY_STALE_PERIODS * cfg.cluster.snapshotMs, now: () => clock.now() });
  const charts = new RenderPool({ size: cfg.render.workers, cacheEntries: cfg.render.cacheEntries, onError });
  const platforms = [...(cfg.secrets.telegramToken ? ['telegram'] : []), ...(cfg.secrets.discordToken ? ['discord'] : [])];
  // Queue depths for `status` (no worker runs here).
  const pipeline = new DeliveryPipeline({ store, queues, limiter, clock, destinations: [], platforms: ['console', ...platforms], routes: staticRoutes(cfg), onError });
  const subscriptions = new SubscriptionService({ store, clock, resolveSymbol, limits: cfg.limits, defaultSensitivity: cfg.alerts.sensitivity as Sensitivity });
  const alertLog = new AlertLog(store);
  let known = new Set<string>();
  const refreshKnown = () =>
    reader
      .symbols()
      .then((s) => (known = new Set(s)))
      .catch((err: unknown) => onError(err, 'market board'));
  await refreshKnown();
  const knownTimer = setInterval(() => void refreshKnown(), cfg.cluster.boardMs);
  knownTimer.unref();
  const rendered = new RenderedCharts(bars, charts, alertLog, () => clock.now());
  const replay = new ReplayPreview(bars, { renderer: charts });
  const startedAt = clock.now();
  const services: CommandServices = {
    subscriptions,
    alerts: alertLog,
    prices: reader,
    symbols: new KnownSymbols(resolveSymbol, () => known),
    charts: {
      async rangeChart(symbol, range, venue) {
        await bars.load(symbol);
        return rendered.rangeChart(symbol, range, venue);
      },
    },
    preview: {
      async preview(symbol, thresholds, spanMs, venue) {
        await bars.load(symbol);
        return replay.preview(symbol, thresholds, spanMs, venue);
      },
    },
    proximity,
    status: {
      async status() {
        const qs = await pipeline.status(0);
        return {
          feeds: await reader.feeds(),
          queueDepth: qs.reduce((n, q) => n + q.counts.waiting + q.counts.active + q.counts.delayed, 0),
          lastAlert: await board.lastAlert(),
          store: store.kind,
          startedAt,
        };
      },
    },
  };
  const chat = chatBots(cfg, services, clock, onError, (c, why) => subscriptions.pauseChat(c.platform, c.chatId, why), platformRetryReporter(log, metrics));
  const app = createHttpApp({
    metrics,
    health: storeHealth(redis),
  });
  const webhook = chat.telegram && cfg.telegram.mode === 'webhook' ? mountTelegramWebhook(app, chat.telegram, cfg, log) : null;
  const http = await listen(app, cfg.http.host, cfg.http.port);
  await startBots(chat.bots, webhook, log);
  if (chat.bots.length === 0 && !webhook) log.warn('bot role without TELEGRAM_BOT_TOKEN or DISCORD_TOKEN: nothing to do');
  log.info({ host: hostname(), port: http.port }, 'tickwatch bot running');
  const stop = once((reason) =>
    shutdown(log, reason, [
      { name: 'timers', run: () => clearInterval(knownTimer) },
      ...chat.bots.map((b) => ({ name: `${b.name} bot`, run: () => b.stop() })),
      { name: 'feeds', run: () => feeds.stop() },
      { name: 'charts', run: () => charts.close() },
      ...closingSteps(parts, http),
    ]),
  );
  return { role: 'bot', log, http, stop };
}

function registerQueueGauge(metrics: AppMetrics, pipeline: DeliveryPipeline): void {
  let rows: { labels: Record<string, string>; value: number }[] = [];
  const refresh = () =>
    pipeline
      .status(0)
      .then((qs) => {
        rows = qs.flatMap((q) => Object.entries(q.counts).map(([state, value]) => ({ labels: { queue: q.name, state }, value: Number(value) })));
      })
      .catch(() => {});
  const t = setInterval(refresh, 5_000);
  t.unref();
  void refresh();
  metrics.gauge('tickwatch_queue_jobs', 'Jobs by queue and state', ['queue', 'state'], () => rows);
}

/**
 * How long a tail of ticks is kept for a subscribed stream this engine does not own: long enough
 * to cover the windows' snapshot period and a lease hand-over twice over, and at least a minute.
 */
function tailSpanMs(cfg: Config): number {
  return Math.max(TAIL_MIN_SPAN_MS, 2 * (cfg.cluster.snapshotMs + cfg.cluster.leaseTtlMs + cfg.cluster.renewMs));
}
/** Shortest tail span. */
export const TAIL_MIN_SPAN_MS = 60_000;
/** Most ticks a tail holds, whatever the span (a busy stream keeps its newest ones). */
export const TAIL_MAX_TICKS = 20_000;

/** The newest ticks of one stream, by time span and count. */
export class TickTail {
  private ticks: Tick[] = [];
  private head = 0;

  constructor(private readonly spanMs: number) {}

  push(t: Tick): void {
    this.ticks.push(t);
    const cut = t.ts - this.spanMs;
    while (this.head < this.ticks.length && ((this.ticks[this.head] as Tick).ts < cut || this.ticks.length - this.head > TAIL_MAX_TICKS)) this.head++;
    // Compact once the dropped part outweighs the kept one.
    if (this.head > 1024 && this.head * 2 > this.ticks.length) {
      this.ticks = this.ticks.slice(this.head);
      this.head = 0;
    }
  }

  /** Ticks at or after `ts`, oldest first. */
  since(ts: number): Tick[] {
    const out: Tick[] = [];
    for (let i = this.head; i < this.ticks.length; i++) if ((this.ticks[i] as Tick).ts >= ts) out.push(this.ticks[i] as Tick);
    return out;
  }

  get size(): number {
    return this.ticks.length - this.head;
  }
}

/** A set of streams looked up without building a string per tick. */
class StreamSet {
  private readonly m = new Map<string, Set<string>>();
  has(venue: string, symbol: string): boolean {
    return this.m.get(venue)?.has(symbol) ?? false;
  }
  add(venue: string, symbol: string): void {
    let s = this.m.get(venue);
    if (!s) this.m.set(venue, (s = new Set()));
    s.add(symbol);
  }
  delete(venue: string, symbol: string): void {
    this.m.get(venue)?.delete(symbol);
  }
}
