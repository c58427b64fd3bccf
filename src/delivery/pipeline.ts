import { PermanentError, TemporaryError } from '../engine/core/errors.js';
import type { AlertEvent } from '../engine/core/types.js';
import type { AlertSink } from '../engine/ports/alert-sink.js';
import type { BarSource, ChartPort } from '../engine/ports/chart.js';
import type { Clock } from '../engine/ports/clock.js';
import type { ChartAttachment, Destination, OutboundMessage } from '../engine/ports/destination.js';
import type { DeadLetter, Job, JobQueue, JobSpec, QueueBackend, QueueCounts, QueueOptions, QueueWorker, RateLimiter } from '../engine/ports/queue.js';
import type { AlertRetention, AttemptStore, ChatAddress, Store, Subscription } from '../engine/ports/store.js';
import { ALERT_RETENTION_DEFAULTS } from '../engine/services/alerts.js';
import { QuietHoursClock } from '../engine/services/quiet-hours.js';
import { pauseChat } from '../engine/services/subscriptions.js';
import { alertDeliveryId, alertJobId, burstDeliveryId, deliverQueueName, destinationKey, RENDER_QUEUE } from './address.js';
import { HIGH_SEVERITY, planFanOut, type Recipient, type SeverityRule, type StaticRoute } from './fanout.js';
import { inDoubt, type InDoubt } from './guarantees.js';
import { alertText, burstText, byStrength } from './message.js';
import { chatLimits, PLATFORM_RATES, type PlatformRates } from './rates.js';

/** Recipients per step of a fan-out: one burst-offer call and one bulk add per platform. */
export const FANOUT_CHUNK = 1_000;
/** Fan-out steps in flight at once (Redis works on one while this process builds the next). */
export const FANOUT_IN_FLIGHT = 2;

export interface StageOptions extends QueueOptions {
  concurrency: number;
}

export interface DeliveryOptions {
  /** Alerts to one destination within this window after a first one are merged into one message. */
  burstWindowMs: number;
  render: StageOptions;
  deliver: StageOptions;
  /** How long a receipt stops a repeat of the same delivery. */
  receiptTtlMs: number;
  /** How long a rendered chart is kept for late deliveries and retries. */
  chartTtlMs: number;
  /** Chart span around the alert. */
  chartBeforeMs: number;
  chartAfterMs: number;
  retention: AlertRetention;
  rates: Readonly<Record<string, PlatformRates>>;
  severity: SeverityRule;
  /** A job uses the rate-limit slot it reserved if it runs within this long after it. */
  slotGraceMs: number;
  /** See WorkerOptions.stallAfterMs (durable queues). */
  stallAfterMs?: number | undefined;
}

export const DELIVERY_DEFAULTS: DeliveryOptions = {
  burstWindowMs: 5_000,
  render: { attempts: 3, backoffMs: 500, concurrency: 2 },
  // 8 attempts from 1 s doubling: the last retry comes about 2 minutes after the first failure.
  deliver: { attempts: 8, backoffMs: 1_000, concurrency: 10 },
  receiptTtlMs: 7 * 24 * 3_600_000,
  chartTtlMs: 24 * 3_600_000,
  chartBeforeMs: 60 * 60_000,
  chartAfterMs: 0,
  retention: ALERT_RETENTION_DEFAULTS,
  rates: PLATFORM_RATES,
  severity: HIGH_SEVERITY,
  slotGraceMs: 2_000,
};

export interface ChartDeps {
  renderer: ChartPort;
  bars: BarSource;
  /** Public URL of an alert's chart, when the deployment serves them (webhooks may send only it). */
  url?: ((alertId: string) => string) | undefined;
}

export interface DeliveryDeps {
  store: Store;
  queues: QueueBackend;
  limiter: RateLimiter;
  clock: Clock;
  /** Where messages go; one per platform. */
  destinations: readonly Destination[];
  /**
   * Platforms that get deliveries (default: those of `destinations`). A process that renders but
   * does not deliver (engine role) names the platforms its delivery workers serve elsewhere.
   */
  platforms?: readonly string[] | undefined;
  routes?: readonly StaticRoute[] | undefined;
  chart?: ChartDeps | undefined;
  /** Send-attempt markers (default: the store's). */
  attempts?: AttemptStore | undefined;
  /** A delivery in doubt is being sent again (see guarantees.ts); for logs and metrics. */
  onInDoubt?: ((d: InDoubt) => void) | undefined;
  options?: Partial<DeliveryOptions> | undefined;
  onError?: ((err: unknown, context: string) => void) | undefined;
  onDeadLetter?: ((queue: string, job: Job<unknown>, err: unknown) => void) | undefined;
}

/** One delivery job: one alert to one destination, or the merged message of a burst window. */
export type DeliverJob =
  | { kind: 'alert'; alertId: string; to: ChatAddress; mentions: string[]; slotAt?: number | undefined }
  | { kind: 'burst'; to: ChatAddress; flushAt: number; slotAt?: number | undefined };

export interface QueueStatus {
  name: string;
  counts: QueueCounts;
  deadLetters: DeadLetter[];
}

/**
 * Alerts from the engine to every recipient: the sink enqueues a render job per alert; the render
 * job records the alert, renders its chart once and fans out one delivery job per destination
 * (burst-merged); delivery jobs respect per-chat rate limits, skip what a receipt says was sent,
 * and pause a chat's subscriptions when its platform says it can no longer receive.
 */
export class DeliveryPipeline {
  readonly options: DeliveryOptions;
  readonly sink: AlertSink;
  private readonly renderQueue: JobQueue<AlertEvent>;
  private readonly deliverQueues = new Map<string, JobQueue<DeliverJob>>();
  private readonly destinations: Map<string, Destination>;
  private readonly platforms: Set<string>;
  private readonly routes: readonly StaticRoute[];
  private readonly quiet = new QuietHoursClock();
  private readonly workers: QueueWorker[] = [];
  private readonly attempts: AttemptStore;

  constructor(private readonly deps: DeliveryDeps) {
    this.options = { ...DELIVERY_DEFAULTS, ...deps.options };
    this.attempts = deps.attempts ?? deps.store;
    this.destinations = new Map(deps.destinations.map((d) => [d.platform, d]));
    this.platforms = new Set(deps.platforms ?? this.destinations.keys());
    this.routes = deps.routes ?? [];
    this.renderQueue = deps.queues.queue<AlertEvent>(RENDER_QUEUE, this.options.render);
    for (const p of this.platforms) this.deliverQueues.set(p, deps.queues.queue<DeliverJob>(deliverQueueName(p), this.options.deliver));
    this.sink = { publish: (alert) => this.renderQueue.add({ id: alertJobId(alert.id), data: alert }) };
  }

  /** Starts render workers and one delivery worker per platform with a destination here. */
  start(): void {
    this.startRenderWorker();
    this.startDeliveryWorkers();
  }

  startRenderWorker(): void {
    const o = this.options.render;
    this.workers.push(
      this.deps.queues.work<AlertEvent>(RENDER_QUEUE, o, (job) => this.render(job.data), {
        concurrency: o.concurrency,
        stallAfterMs: this.options.stallAfterMs,
        onError: this.deps.onError,
        onDeadLetter: (job, err) => this.deps.onDeadLetter?.(RENDER_QUEUE, job, err),
      }),
    );
  }

  startDeliveryWorkers(platforms: readonly string[] = [...this.destinations.keys()]): void {
    const o = this.options.deliver;
    for (const p of platforms) {
      const name = deliverQueueName(p);
      this.workers.push(
        this.deps.queues.work<DeliverJob>(name, o, (job) => this.deliver(job), {
          concurrency: o.concurrency,
          limiter: this.options.rates[p]?.overall,
          stallAfterMs: this.options.stallAfterMs,
          onError: this.deps.onError,
          onDeadLetter: (job, err) => this.deps.onDeadLetter?.(name, job, err),
        }),
      );
    }
  }

  /** The render job: record, chart, fan out. Safe to repeat (every step is idempotent). */
  async render(alert: AlertEvent): Promise<void> {
    await this.deps.store.recordAlert(alert, this.options.retention);
    const c = this.deps.chart;
    if (c) {
      try {
        const series = c.bars.seriesAround(alert, this.options.chartBeforeMs, this.options.chartAfterMs);
        const png = await c.renderer.renderAlert({ alert, series });
        await this.deps.store.putChart(alert.id, png, this.options.chartTtlMs);
      } catch (err) {
        // A chart is decoration: the alert goes out without one rather than late or not at all.
        this.deps.onError?.(err, `chart for ${alert.id}`);
      }
    }
    await this.fanOut(alert);
  }

  /**
   * Finds the alert's recipients and enqueues their deliveries; returns how many jobs it added.
   * Recipients go in chunks of FANOUT_CHUNK (one burst-offer call and one bulk add per platform
   * each), FANOUT_IN_FLIGHT chunks at a time: Redis works on one chunk while this process builds
   * the next.
   */
  async fanOut(alert: AlertEvent): Promise<number> {
    const now = this.deps.clock.now();
    const subs = await this.deps.store.subscriptionsForSymbol(alert.symbol);
    const recipients = planFanOut(alert, subs, this.routes, { now, quiet: this.quiet, severity: this.options.severity }).filter((r) =>
      this.platforms.has(r.to.platform),
    );
    let next = 0;
    let added = 0;
    const step = async (): Promise<void> => {
      while (next < recipients.length) {
        const chunk = recipients.slice(next, (next += FANOUT_CHUNK));
        const n = await this.enqueueDeliveries(alert, chunk, now);
        added += n;
      }
    };
    await Promise.all(Array.from({ length: Math.min(FANOUT_IN_FLIGHT, Math.ceil(recipients.length / FANOUT_CHUNK)) }, step));
    return added;
  }

  /** Burst offers and delivery jobs of some recipients of one alert. */
  private async enqueueDeliveries(alert: AlertEvent, recipients: readonly Recipient[], now: number): Promise<number> {
    const jobs = new Map<string, JobSpec<DeliverJob>[]>();
    const push = (platform: string, j: JobSpec<DeliverJob>) => {
      let l = jobs.get(platform);
      if (!l) jobs.set(platform, (l = []));
      l.push(j);
    };
    const merging = recipients.filter((r) => r.mergeBursts);
    const offers = merging.length
      ? await this.deps.store.burstOffer(
          merging.map((r) => destinationKey(r.to)),
          alert.id,
          now,
          this.options.burstWindowMs,
        )
      : [];
    merging.forEach((r, i) => {
      const o = offers[i];
      if (o?.action !== 'hold') push(r.to.platform, alertJob(alert, r));
      else if (o.first) {
        push(r.to.platform, { id: burstDeliveryId(r.to, o.flushAt), data: { kind: 'burst', to: r.to, flushAt: o.flushAt }, delayMs: Math.max(0, o.flushAt - now) });
      }
    });
    for (const r of recipients) if (!r.mergeBursts) push(r.to.platform, alertJob(alert, r));
    let n = 0;
    await Promise.all(
      [...jobs].map(([platform, list]) => {
        n += list.length;
        return (this.deliverQueues.get(platform) as JobQueue<DeliverJob>).addBulk(list);
      }),
    );
    return n;
  }

  /**
   * The delivery job. Between the receipt check and the send it writes an attempt marker, and
   * right after the send the receipt: a later run that finds the marker without a receipt knows
   * the send is in doubt, reports it (`onInDoubt`) and sends again (guarantees.ts), with the same
   * delivery id for the platform or the receiver to drop the repeat.
   */
  async deliver(job: Job<DeliverJob>): Promise<void> {
    const d = job.data;
    const msg = d.kind === 'alert' ? await this.alertMessage(d) : await this.burstMessage(d);
    if (!msg) return;
    if (await this.deps.store.getReceipt(msg.deliveryId)) {
      // Sent already; a marker beside the receipt is from a run that died before dropping it.
      await Promise.all([this.attempts.clearAttempt(msg.deliveryId), this.attempts.clearSentParts(msg.deliveryId)]);
      return;
    }
    await this.waitForSlot(job);
    const lead = msg.alerts[0] as AlertEvent;
    const platform = d.to.platform;
    const dest = this.destinations.get(platform);
    if (!dest) throw new PermanentError(`no destination for platform "${platform}" in this process`, 'no destination');
    const mediaRef = (await this.deps.store.getMediaRef(lead.id, platform)) ?? undefined;
    msg.chart = await this.chartFor(lead.id, mediaRef);
    const now = this.deps.clock.now();
    const previous = await this.attempts.markAttempt(msg.deliveryId, { at: now, attempt: job.attempt }, this.options.receiptTtlMs);
    if (previous) this.deps.onInDoubt?.(inDoubt(msg.deliveryId, platform, previous, now));
    const ttl = this.options.receiptTtlMs;
    const id = msg.deliveryId;
    // Parts cost store calls only for a destination that splits this message.
    let parts = false;
    msg.parts = {
      sent: async () => {
        const sent = await this.attempts.getSentParts(id);
        parts ||= sent.length > 0;
        return new Set(sent);
      },
      record: async (part) => {
        parts = true;
        await this.attempts.addSentPart(id, part, ttl);
      },
    };
    let receipt;
    try {
      receipt = await dest.send(msg);
    } catch (err) {
      // A refusal (rate limit, permanent failure) is a known outcome: nothing went out.
      if (err instanceof PermanentError || (err instanceof TemporaryError && err.retryAfterMs !== undefined)) {
        await this.attempts.clearAttempt(msg.deliveryId);
      }
      if (err instanceof PermanentError) {
        await pauseChat(this.deps.store, this.deps.clock.now(), platform, d.to.chatId, err.reason);
      }
      throw err;
    }
    await this.deps.store.putReceipt(msg.deliveryId, receipt, this.options.receiptTtlMs);
    await Promise.all([
      this.attempts.clearAttempt(msg.deliveryId),
      parts ? this.attempts.clearSentParts(msg.deliveryId) : undefined,
      receipt.mediaRef && !mediaRef ? this.deps.store.setMediaRef(lead.id, platform, receipt.mediaRef, this.options.chartTtlMs) : undefined,
    ]);
  }

  /** Queue depths and dead letters of every queue this pipeline uses. */
  async status(deadLetterLimit = 20): Promise<QueueStatus[]> {
    return queueStatus([this.renderQueue, ...this.deliverQueues.values()], deadLetterLimit);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    this.workers.length = 0;
  }

  private async alertMessage(d: Extract<DeliverJob, { kind: 'alert' }>): Promise<OutboundMessage> {
    const alert = await this.alert(d.alertId);
    if (!alert) throw new PermanentError(`alert ${d.alertId} is no longer stored`, 'alert expired');
    return { deliveryId: alertDeliveryId(d.alertId, d.to), to: d.to, kind: 'alert', alerts: [alert], text: alertText(alert), mentions: d.mentions };
  }

  /** The merged message of a burst window, or a plain alert when only one was held. */
  private async burstMessage(d: Extract<DeliverJob, { kind: 'burst' }>): Promise<OutboundMessage | null> {
    const W = this.options.burstWindowMs;
    const taken = await this.deps.store.burstTake(destinationKey(d.to), d.flushAt, this.deps.clock.now(), W);
    const held = await this.alerts(taken.held);
    if (held.length === 0) return null;
    const { pairs, watchers } = await this.audience(d.to, new Set(held.map((a) => a.symbol)));
    if (held.length === 1) {
      const a = held[0] as AlertEvent;
      return { deliveryId: alertDeliveryId(a.id, d.to), to: d.to, kind: 'alert', alerts: [a], text: alertText(a), mentions: watchers };
    }
    const alerts = [...(await this.alerts(taken.leads)), ...held].sort(byStrength);
    return {
      deliveryId: burstDeliveryId(d.to, d.flushAt),
      to: d.to,
      kind: 'burst',
      alerts,
      text: burstText(alerts, pairs, W),
      pairsFollowed: pairs,
      mentions: watchers,
    };
  }

  /** Pairs a destination follows (M of "N of M") and who to mention for some symbols. */
  private async audience(to: ChatAddress, symbols: ReadonlySet<string>): Promise<{ pairs: number | undefined; watchers: string[] }> {
    const route = this.routes.find((r) => destinationKey(r.to) === destinationKey(to));
    if (route) return { pairs: route.symbols?.length, watchers: [] };
    const subs: Subscription[] = (await this.deps.store.subscriptionsInChat(to.platform, to.chatId)).filter(
      (s) => !s.paused && (s.chat.threadId ?? '') === (to.threadId ?? ''),
    );
    const shared = (to.chatType ?? 'private') !== 'private';
    const watchers = shared ? [...new Set(subs.filter((s) => s.kind === 'watch' && symbols.has(s.symbol)).map((s) => s.userId))] : [];
    return { pairs: new Set(subs.map((s) => s.symbol)).size || undefined, watchers };
  }

  private async waitForSlot(job: Job<DeliverJob>): Promise<void> {
    const d = job.data;
    const limits = chatLimits(this.options.rates[d.to.platform], d.to);
    if (limits.length === 0) return;
    const now = this.deps.clock.now();
    const grace = this.options.slotGraceMs;
    if (d.slotAt !== undefined) {
      // Our reserved slot: use it if it is now; a stale one (the job failed and came back later) is renewed.
      if (now < d.slotAt) throw new TemporaryError('waiting for the chat rate limit', { retryAfterMs: d.slotAt - now });
      if (now <= d.slotAt + grace) return;
    }
    let wait = 0;
    for (const l of limits) wait = Math.max(wait, await this.deps.limiter.reserve(l.key, l.rate, now));
    if (wait === 0) return;
    await job.updateData({ ...d, slotAt: now + wait });
    throw new TemporaryError('waiting for the chat rate limit', { retryAfterMs: wait });
  }

  private async chartFor(alertId: string, mediaRef: string | undefined): Promise<ChartAttachment | undefined> {
    const url = this.deps.chart?.url?.(alertId);
    const png = mediaRef ? undefined : ((await this.deps.store.getChart(alertId)) ?? undefined);
    if (!png && !mediaRef && !url) return undefined;
    return { png, mediaRef, url, fileName: `${alertId}.png` };
  }

  private alert(id: string): Promise<AlertEvent | null> {
    return this.deps.store.getAlert(id);
  }

  private async alerts(ids: readonly string[]): Promise<AlertEvent[]> {
    const found = await Promise.all(ids.map((id) => this.alert(id)));
    return found.filter((a): a is AlertEvent => a !== null).sort(byStrength);
  }
}

function alertJob(alert: AlertEvent, r: Recipient): JobSpec<DeliverJob> {
  return { id: alertDeliveryId(alert.id, r.to), data: { kind: 'alert', alertId: alert.id, to: r.to, mentions: r.mentions } };
}

/** Depth and dead letters of some queues: for `tickwatch queues` and the status command. */
export async function queueStatus(queues: readonly JobQueue<unknown>[], deadLetterLimit = 20): Promise<QueueStatus[]> {
  return Promise.all(queues.map(async (q) => ({ name: q.name, counts: await q.counts(), deadLetters: await q.deadLetters(deadLetterLimit) })));
}
