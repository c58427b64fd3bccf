import { OpenAPIHono } from '@hono/zod-openapi';
import { EngineBarSource } from '../../src/engine/bar-source.js';
import { PermanentError } from '../../src/engine/core/errors.js';
import { WsFeed } from '../../src/engine/feeds/ws-feed.js';
import { Engine, InlineTrainer, STATISTICAL_DETECTORS, StaticRuleSource, presetRule, systemClock, type AlertEvent } from '../../src/engine/index.js';
import type { JobQueue } from '../../src/engine/ports/queue.js';
import { subscriptionId, type Subscription } from '../../src/engine/ports/store.js';
import { ALERT_RETENTION_DEFAULTS } from '../../src/engine/services/alerts.js';
import { Sfc32 } from '../../src/engine/testing/synthetic-market.js';
import { queueStatus } from '../../src/delivery/pipeline.js';
import { AppMetrics } from '../../src/ops/metrics.js';
import { InProcessQueueBackend } from '../../src/queue/memory.js';
import { ChartRenderer } from '../../src/render/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { listen, type RunningServer } from '../../src/web/server.js';
import { deliveryFailuresFromMetrics, mountDashboard, type Dashboard } from '../../src/web/index.js';
import { startFakeExchange, type FakeExchange, type FakeVenue } from '../fakes/exchanges/index.js';
import { PROTOCOLS, until } from '../feeds/helpers.js';
import { marketTicks, type VenueSpec } from './fixture.js';

/** The driver sends trades this often. */
const DRIVE_MS = 100;
/** Bars close on this timer, as in live mode. */
const ADVANCE_MS = 200;
/** Trades per second per venue and symbol, and the per-second volatility of log price. */
const RATE = 6;
const VOL = 0.0004;

export interface LiveMarketOptions {
  venues: FakeVenue[];
  symbols: { symbol: string; price: number }[];
  /** Minutes of history fed to the engine before the feeds start (detectors need it to score). */
  warmMinutes: number;
  /** A connected stream with no trade for this long is stale (the feeds' bound). */
  staleAfterMs: number;
  /** A stream whose feed is down is shown stale once its data is this old (the dashboard's bound; default staleAfterMs). */
  shownStaleAfterMs?: number;
  token?: string | undefined;
  seed?: number;
}

interface Spike {
  start: number;
  pct: number;
  rampMs: number;
}

/**
 * A live market for the dashboard: fake exchanges streaming trades over their real protocols, the
 * real feeds into a real Engine, alerts recorded in a memory store with charts drawn on demand,
 * a few queues and subscriptions for the status page, and the HTTP app listening on 127.0.0.1.
 */
export class LiveMarket {
  readonly fakes = new Map<string, FakeExchange>();
  readonly feeds: WsFeed[] = [];
  readonly store = new MemoryStore();
  readonly alerts: AlertEvent[] = [];
  readonly engine: Engine;
  readonly metrics = new AppMetrics({ defaultMetrics: false });
  readonly queues = new InProcessQueueBackend();
  dashboard!: Dashboard;
  server!: RunningServer;
  private readonly rng: Sfc32;
  private readonly logP = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  private readonly paused = new Set<string>();
  private readonly spikes = new Map<string, Spike>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: LiveMarketOptions) {
    this.rng = new Sfc32(o.seed ?? 7);
    this.engine = new Engine({
      options: { detectors: STATISTICAL_DETECTORS, warmupBars: 60 },
      clock: systemClock,
      rules: new StaticRuleSource([presetRule('normal')]),
      sink: {
        publish: async (a) => {
          this.alerts.push(a);
          this.metrics.alertFired(a);
          await this.store.recordAlert(a, ALERT_RETENTION_DEFAULTS);
        },
      },
      trainer: new InlineTrainer(),
    });
    o.venues.forEach((v, i) => this.offsets.set(v, [0, 0.015, -0.01, 0.02, -0.02][i % 5]!));
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  private specs(): VenueSpec[] {
    return this.o.venues.flatMap((venue) => this.o.symbols.map((s) => ({ venue, symbol: s.symbol, price: s.price, offsetPct: this.offsets.get(venue) })));
  }

  async start(): Promise<this> {
    for (const v of this.o.venues) {
      const f = await startFakeExchange(v);
      this.fakes.set(v, f);
      this.feeds.push(
        new WsFeed({
          protocol: PROTOCOLS[v],
          symbols: this.o.symbols.map((s) => s.symbol),
          sink: this.engine,
          clock: systemClock,
          wsUrl: f.wsUrl,
          tuning: { checkIntervalMs: 100, staleAfterMs: this.o.staleAfterMs, backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5, resetAfterMs: 5_000 } },
        }),
      );
    }
    await this.statusPageData();
    const app = new OpenAPIHono();
    this.dashboard = mountDashboard(app, {
      engine: this.engine,
      feeds: this.feeds,
      alerts: this.store,
      charts: new ChartRenderer(),
      bars: new EngineBarSource(this.engine),
      ops: {
        queues: () => queueStatus(this.statusQueues),
        deliveryFailures: deliveryFailuresFromMetrics(this.metrics),
        subscriptions: () => this.store.allSubscriptions(),
      },
      clock: systemClock,
      auth: { host: '127.0.0.1', token: this.o.token },
      secrets: [],
      options: { staleAfterMs: this.o.shownStaleAfterMs ?? this.o.staleAfterMs },
    });
    // History after the dashboard is listening to the engine: its score trails fill as in a running process.
    const now = Date.now();
    const history = marketTicks(this.specs(), now - this.o.warmMinutes * 60_000, this.o.warmMinutes * 60, this.o.seed ?? 7);
    for (const t of history) {
      this.engine.ingest(t);
      this.logP.set(t.symbol, Math.log(t.price / (1 + (this.offsets.get(t.venue) ?? 0) / 100)));
    }
    this.engine.advance(Date.now());
    this.server = await listen(app, '127.0.0.1', 0);
    await Promise.all(this.feeds.map((f) => f.start()));
    await until(() => this.feeds.every((f) => f.statuses().length === this.o.symbols.length && f.statuses().every((s) => s.status === 'live')), 10_000, 'every feed live');
    this.timers.push(setInterval(() => this.drive(), DRIVE_MS));
    this.timers.push(setInterval(() => this.engine.advance(Date.now()), ADVANCE_MS));
    return this;
  }

  private statusQueues: JobQueue<unknown>[] = [];

  /** Queues with some work and a dead letter, subscriptions and failure counts: what a running deployment shows. */
  private async statusPageData(): Promise<void> {
    const opts = { attempts: 1, backoffMs: 10 };
    const render = this.queues.queue<unknown>('render', opts);
    const telegram = this.queues.queue<unknown>('deliver-telegram', opts);
    const discord = this.queues.queue<unknown>('deliver-discord', opts);
    this.statusQueues = [render, telegram, discord];
    await telegram.addBulk([1, 2, 3].map((i) => ({ id: `t${i}`, data: {}, delayMs: 3_600_000 })));
    await discord.add({ id: 'd1', data: {} });
    this.queues.work('deliver-discord', opts, async () => {
      throw new PermanentError('403 Missing Access: the bot was removed from the channel', 'forbidden');
    }, { concurrency: 1 });
    this.metrics.deliveryFailed('telegram', 'rate_limited');
    this.metrics.deliveryFailed('telegram', 'rate_limited');
    this.metrics.deliveryFailed('discord', 'forbidden');
    const limits = { perUser: 50, perChat: 200 };
    const pairs = this.o.symbols.map((s) => s.symbol);
    const { id: _ruleId, ...thresholds } = presetRule('normal');
    for (let i = 0; i < 12; i++) {
      const base = { kind: (i % 4 === 3 ? 'feed' : 'watch') as Subscription['kind'], chat: { platform: i % 3 ? 'telegram' : 'discord', chatId: `chat-${i % 5}` }, userId: `user-${i}`, symbol: pairs[i % pairs.length]!, venue: undefined };
      const sub: Subscription = { ...base, id: subscriptionId(base), thresholds, createdAt: 0, updatedAt: 0 };
      await this.store.putSubscription(sub, limits);
    }
  }

  private drive(): void {
    const now = Date.now();
    for (const { symbol } of this.o.symbols) {
      let lp = this.logP.get(symbol)!;
      for (const venue of this.o.venues) {
        const key = `${venue}:${symbol}`;
        const f = this.fakes.get(venue);
        if (!f || this.paused.has(key)) continue;
        const n = poisson(this.rng, (RATE * DRIVE_MS) / 1000);
        const trades: { ts: number; price: number; qty: number; side: 'buy' | 'sell' }[] = [];
        const sp = this.spikes.get(key);
        for (let i = 0; i < n; i++) {
          lp += this.rng.normal() * (VOL / Math.sqrt(RATE * this.o.venues.length));
          trades.push({ ts: now, price: this.price(lp, venue, sp, now), qty: Math.round((this.rng.next() * 0.5 + 0.001) * 1e6) / 1e6, side: this.rng.next() < 0.5 ? 'buy' : 'sell' });
        }
        if (sp && now - sp.start < sp.rampMs) for (let i = 0; i < 6; i++) trades.push({ ts: now, price: this.price(lp, venue, sp, now), qty: 0.5, side: sp.pct > 0 ? 'buy' : 'sell' });
        if (trades.length) f.trade(symbol, trades);
      }
      this.logP.set(symbol, lp);
    }
  }

  private price(lp: number, venue: string, sp: Spike | undefined, now: number): number {
    const ramp = sp ? 1 + (sp.pct / 100) * Math.min(1, Math.max(0, (now - sp.start) / sp.rampMs)) : 1;
    return Math.round(Math.exp(lp) * (1 + (this.offsets.get(venue) ?? 0) / 100) * ramp * 100) / 100;
  }

  /** From now on this venue's price rises (falls) by pct over rampMs, with a burst of trades, and stays there. */
  spike(venue: string, symbol: string, pct: number, rampMs: number): void {
    this.spikes.set(`${venue}:${symbol}`, { start: Date.now(), pct, rampMs });
  }

  /** The venue stops trading this symbol (its connection stays up). */
  pause(venue: string, symbol: string): void {
    this.paused.add(`${venue}:${symbol}`);
  }

  /** The venue goes away: every connection dropped, new ones refused. */
  kill(venue: string): void {
    const f = this.fakes.get(venue)!;
    f.down = true;
    f.drop();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.dashboard?.close();
    await this.server?.close();
    await Promise.all(this.feeds.map((f) => f.stop()));
    await Promise.all([...this.fakes.values()].map((f) => f.close()));
    await this.queues.close();
  }
}

function poisson(rng: Sfc32, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = rng.next();
  while (u > s && k < 100) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}
