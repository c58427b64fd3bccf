import type { Subscription } from '../engine/ports/store.js';
import type { AppMetrics } from '../ops/metrics.js';
import type { DeliveryFailureCount, OpsView, QueueReport, WebLog } from './deps.js';
import type { StatusT } from './schemas.js';

/** Subscription counts are recounted at most this often (listing every subscription costs a round trip per batch on Redis). */
const SUBSCRIPTION_COUNT_TTL_MS = 10_000;
/** Dead letters listed per queue, newest first. */
const DEAD_LETTERS_SHOWN = 5;
/** A dead letter's reason is cut to this many characters (its first line). */
const REASON_MAX_CHARS = 200;

type SubscriptionCounts = NonNullable<StatusT['subscriptions']>;

/** Counts only: who watches what stays in the store. */
export function countSubscriptions(subs: readonly Subscription[], now: number): SubscriptionCounts {
  const chats = new Set<string>();
  const pairs = new Set<string>();
  const byPlatform: Record<string, number> = {};
  let watches = 0;
  let paused = 0;
  let muted = 0;
  for (const s of subs) {
    if (s.kind === 'watch') watches++;
    if (s.paused) paused++;
    if (s.mutedUntil !== undefined && s.mutedUntil > now) muted++;
    chats.add(`${s.chat.platform}:${s.chat.chatId}`);
    pairs.add(s.symbol);
    byPlatform[s.chat.platform] = (byPlatform[s.chat.platform] ?? 0) + 1;
  }
  return { total: subs.length, watches, feeds: subs.length - watches, paused, muted, chats: chats.size, pairs: pairs.size, byPlatform };
}

export function queueRows(reports: readonly QueueReport[], scrub: (s: string) => string): NonNullable<StatusT['queues']> {
  return reports.map((q) => ({
    name: q.name,
    waiting: q.counts.waiting,
    active: q.counts.active,
    delayed: q.counts.delayed,
    failed: q.counts.failed,
    completed: q.counts.completed,
    deadLetters: q.deadLetters.length,
    // Reasons only: a dead letter's data names chats and users.
    recentDeadLetters: [...q.deadLetters]
      .sort((a, b) => b.failedAt - a.failedAt)
      .slice(0, DEAD_LETTERS_SHOWN)
      .map((d) => ({ failedAt: d.failedAt, attempts: d.attempts, reason: scrub((d.error.split('\n')[0] ?? '').slice(0, REASON_MAX_CHARS)) })),
  }));
}

/** Queues, delivery failures and subscription counts; a part that fails is shown as absent, not as an error. */
export class OpsStatus {
  private subs: { at: number; counts: SubscriptionCounts } | undefined;

  constructor(
    private readonly ops: OpsView | undefined,
    private readonly scrub: (s: string) => string,
    private readonly log: WebLog | undefined,
  ) {}

  async read(now: number): Promise<Pick<StatusT, 'queues' | 'deliveryFailures' | 'subscriptions'>> {
    const [queues, failures, subscriptions] = await Promise.all([
      this.part('queues', async () => (this.ops?.queues ? queueRows(await this.ops.queues(), this.scrub) : null)),
      this.part('delivery failures', async () =>
        this.ops?.deliveryFailures ? (await this.ops.deliveryFailures()).map((f) => ({ platform: f.platform, reason: this.scrub(f.reason), count: f.count })) : null,
      ),
      this.part('subscriptions', async () => {
        if (!this.ops?.subscriptions) return null;
        if (this.subs && now - this.subs.at < SUBSCRIPTION_COUNT_TTL_MS) return this.subs.counts;
        const counts = countSubscriptions(await this.ops.subscriptions(), now);
        this.subs = { at: now, counts };
        return counts;
      }),
    ]);
    return { queues, deliveryFailures: failures, subscriptions };
  }

  private async part<T>(what: string, read: () => Promise<T | null>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      this.log?.warn({ err: this.scrub(String(err)) }, `dashboard status: ${what} unavailable`);
      return null;
    }
  }
}

/** Delivery failures by platform and reason, as counted by the Prometheus metrics. */
export function deliveryFailuresFromMetrics(metrics: AppMetrics): () => Promise<DeliveryFailureCount[]> {
  return async () => {
    const m = metrics.registry.getSingleMetric('tickwatch_delivery_failures_total');
    if (!m) return [];
    const data = await m.get();
    return data.values
      .filter((v) => v.value > 0)
      .map((v) => ({ platform: String(v.labels.platform ?? ''), reason: String(v.labels.reason ?? ''), count: v.value }))
      .sort((a, b) => b.count - a.count);
  };
}
