import type { AlertEvent } from '../engine/core/types.js';
import type {
  AlertRetention,
  AttemptMarker,
  AttemptStart,
  BurstOffer,
  BurstTaken,
  DeliveryReceipt,
  FeedbackTally,
  LimitScope,
  PutOutcome,
  Store,
  Subscription,
  SubscriptionLimits,
  Vote,
  WindowSnapshot,
} from '../engine/ports/store.js';
import { checkPrefix, connectRedis, LuaScripts, toBuffer, type RedisClient, type RedisConnection } from './redis-client.js';
import { STORE_SCRIPTS, type StoreScript } from './redis-scripts.js';
import { BURST_TTL_WINDOWS, byNewest, chatIndexKey, limitField, limitOutcome, tally, userIndexKey } from './shared.js';

/** Destinations per burst-offer script call: bounds how long one call holds Redis. */
const BURST_OFFER_CHUNK = 1_000;
/** Attempts of one compare-and-set update before giving up (each loses only to a concurrent writer). */
const CAS_ATTEMPTS = 20;

/**
 * Every key the store writes, in one place (docs/store.md mirrors it). The part in braces is the
 * hash tag: keys that a script or a multi-key command uses together share it, so they live in one
 * Redis Cluster slot.
 */
export class StoreKeys {
  constructor(readonly prefix: string) {
    checkPrefix(prefix);
  }
  // Subscriptions: one slot, so that a subscription and its indexes change atomically.
  get subs(): string {
    return `${this.prefix}:{s}:subs`;
  }
  get version(): string {
    return `${this.prefix}:{s}:version`;
  }
  get limits(): string {
    return `${this.prefix}:{s}:limits`;
  }
  symbol(symbol: string): string {
    return `${this.prefix}:{s}:sym:${symbol}`;
  }
  chat(platform: string, chatId: string): string {
    return `${this.prefix}:{s}:chat:${chatIndexKey(platform, chatId)}`;
  }
  user(platform: string, userId: string): string {
    return `${this.prefix}:{s}:user:${userIndexKey(platform, userId)}`;
  }
  // Window snapshots: one key per stream (spread over the cluster) and an index.
  snapshot(stream: string): string {
    return `${this.prefix}:{w:${stream}}:snap`;
  }
  get snapshotIndex(): string {
    return `${this.prefix}:{w}:index`;
  }
  // Alert history: per symbol slot, one capped zset and event hash per venue.
  historyIds(symbol: string, venue: string): string {
    return `${this.prefix}:{h:${symbol}}:${venue}:ids`;
  }
  historyEvents(symbol: string, venue: string): string {
    return `${this.prefix}:{h:${symbol}}:${venue}:events`;
  }
  historyVenues(symbol: string): string {
    return `${this.prefix}:{h:${symbol}}:venues`;
  }
  // Per alert, expiring together.
  alert(id: string): string {
    return `${this.prefix}:{a:${id}}:event`;
  }
  chart(id: string): string {
    return `${this.prefix}:{a:${id}}:chart`;
  }
  media(id: string): string {
    return `${this.prefix}:{a:${id}}:media`;
  }
  feedback(id: string): string {
    return `${this.prefix}:{a:${id}}:fb`;
  }
  receipt(deliveryId: string): string {
    return `${this.prefix}:rcpt:${deliveryId}`;
  }
  /** Send-attempt marker of a delivery (in doubt while it has no receipt). */
  attempt(deliveryId: string): string {
    return `${this.prefix}:try:${deliveryId}`;
  }
  /** Parts of a multi-call message already sent (a set). */
  sentParts(deliveryId: string): string {
    return `${this.prefix}:part:${deliveryId}`;
  }
  // Burst windows: small and short-lived, all in one slot so that a fan-out offers in one call.
  burstWindow(dest: string): string {
    return `${this.prefix}:{b}:${dest}:win`;
  }
  burstHeld(dest: string): string {
    return `${this.prefix}:{b}:${dest}:held`;
  }
  burstTaken(dest: string, flushAt: number): string {
    return `${this.prefix}:{b}:${dest}:taken:${flushAt}`;
  }
}

export interface RedisStoreOptions {
  /** Key prefix of this deployment (default `tw`). */
  prefix?: string | undefined;
}

/**
 * The Redis store (ioredis), standalone or Cluster. Subscriptions are JSON records in one hash with
 * set indexes by symbol, chat and user beside it; updates are compare-and-set so that concurrent
 * writers (a bot command and a delivery worker pausing a chat) never lose each other's change.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly keys: StoreKeys;
  private readonly scripts: LuaScripts<StoreScript>;

  constructor(
    private readonly client: RedisClient,
    opts: RedisStoreOptions = {},
    private readonly owned = false,
  ) {
    this.keys = new StoreKeys(opts.prefix ?? 'tw');
    this.scripts = new LuaScripts(client, 'twstore', STORE_SCRIPTS);
  }

  /** Connects its own client; close() quits it. */
  static connect(conn: RedisConnection, opts: RedisStoreOptions = {}): RedisStore {
    return new RedisStore(connectRedis(conn), opts, true);
  }

  async putSubscription(sub: Subscription, limits: SubscriptionLimits): Promise<PutOutcome> {
    const k = this.keys;
    const { platform, chatId } = sub.chat;
    const r = (await this.scripts.run(
      'putSub',
      [k.subs, k.version, k.limits, k.symbol(sub.symbol), k.chat(platform, chatId), k.user(platform, sub.userId)],
      [
        sub.id,
        JSON.stringify(sub),
        sub.kind,
        limits.perUser,
        limits.perChat,
        limitField('user', userIndexKey(platform, sub.userId)),
        limitField('chat', chatIndexKey(platform, chatId)),
      ],
    )) as [string, string?, number?];
    if (r[0] === 'limit') return limitOutcome(r[1] as LimitScope, Number(r[2]));
    return { status: r[0] as 'created' | 'updated', subscription: structuredClone(sub) };
  }

  async getSubscription(id: string): Promise<Subscription | null> {
    const v = await this.client.hget(this.keys.subs, id);
    return v ? (JSON.parse(v) as Subscription) : null;
  }

  async updateSubscriptions(ids: readonly string[], change: (s: Subscription) => Subscription | null): Promise<Subscription[]> {
    const out: Subscription[] = [];
    for (const id of ids) {
      for (let attempt = 0; ; attempt++) {
        const cur = await this.client.hget(this.keys.subs, id);
        if (!cur) break;
        const next = change(JSON.parse(cur) as Subscription);
        if (!next) break;
        const fixed = { ...next, id };
        const r = Number(await this.scripts.run('casSub', [this.keys.subs, this.keys.version], [id, cur, JSON.stringify(fixed)]));
        if (r === 1) {
          out.push(fixed);
          break;
        }
        if (r === -1) break;
        if (attempt >= CAS_ATTEMPTS) throw new Error(`subscription ${id} kept changing; update abandoned after ${CAS_ATTEMPTS} attempts`);
      }
    }
    return out;
  }

  async removeSubscriptions(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const k = this.keys;
    const vals = await this.client.hmget(k.subs, ...ids);
    let n = 0;
    for (const v of vals) {
      if (!v) continue;
      const s = JSON.parse(v) as Subscription;
      const { platform, chatId } = s.chat;
      n += Number(
        await this.scripts.run(
          'delSub',
          [k.subs, k.version, k.symbol(s.symbol), k.chat(platform, chatId), k.user(platform, s.userId)],
          [s.id],
        ),
      );
    }
    return n;
  }

  subscriptionsForSymbol(symbol: string): Promise<Subscription[]> {
    return this.readIndex(this.keys.symbol(symbol));
  }

  subscriptionsInChat(platform: string, chatId: string): Promise<Subscription[]> {
    return this.readIndex(this.keys.chat(platform, chatId));
  }

  subscriptionsOfUser(platform: string, userId: string): Promise<Subscription[]> {
    return this.readIndex(this.keys.user(platform, userId));
  }

  async allSubscriptions(): Promise<Subscription[]> {
    const all = await this.client.hvals(this.keys.subs);
    return sortById(all.map((v) => JSON.parse(v) as Subscription));
  }

  async subscriptionsVersion(): Promise<number> {
    return Number((await this.client.get(this.keys.version)) ?? 0);
  }

  async setLimit(scope: LimitScope, platform: string, id: string, limit: number | null): Promise<void> {
    const field = limitField(scope, scope === 'user' ? userIndexKey(platform, id) : chatIndexKey(platform, id));
    if (limit === null) await this.client.hdel(this.keys.limits, field);
    else await this.client.hset(this.keys.limits, field, String(limit));
  }

  async getLimit(scope: LimitScope, platform: string, id: string): Promise<number | null> {
    const v = await this.client.hget(this.keys.limits, limitField(scope, scope === 'user' ? userIndexKey(platform, id) : chatIndexKey(platform, id)));
    return v === null ? null : Number(v);
  }

  async saveSnapshots(snapshots: readonly WindowSnapshot[]): Promise<void> {
    // Data first, then the index: a crash in between leaves an unlisted key, never a listed hole.
    await Promise.all(snapshots.map((s) => this.client.set(this.keys.snapshot(s.stream), toBuffer(s.data))));
    if (snapshots.length) await this.client.sadd(this.keys.snapshotIndex, ...snapshots.map((s) => s.stream));
  }

  async loadSnapshot(stream: string): Promise<Uint8Array | null> {
    const b = await this.client.getBuffer(this.keys.snapshot(stream));
    return b ? new Uint8Array(b) : null;
  }

  async listSnapshots(): Promise<string[]> {
    return (await this.client.smembers(this.keys.snapshotIndex)).sort();
  }

  async deleteSnapshot(stream: string): Promise<void> {
    await this.client.srem(this.keys.snapshotIndex, stream);
    await this.client.del(this.keys.snapshot(stream));
  }

  async recordAlert(alert: AlertEvent, retention: AlertRetention): Promise<boolean> {
    const k = this.keys;
    const json = JSON.stringify(alert);
    // By id first, then history: both idempotent, so a retry after a crash completes the pair.
    await this.client.set(k.alert(alert.id), json, 'PX', retention.ttlMs);
    const r = await this.scripts.run(
      'recordAlert',
      [k.historyIds(alert.symbol, alert.venue), k.historyEvents(alert.symbol, alert.venue), k.historyVenues(alert.symbol)],
      [alert.id, alert.ts, json, retention.historyPerStream, alert.venue],
    );
    return Number(r) === 1;
  }

  async getAlert(id: string): Promise<AlertEvent | null> {
    const v = await this.client.get(this.keys.alert(id));
    return v ? (JSON.parse(v) as AlertEvent) : null;
  }

  async recentAlerts(symbol: string, limit: number, venue?: string): Promise<AlertEvent[]> {
    const k = this.keys;
    const venues = venue !== undefined ? [venue] : await this.client.smembers(k.historyVenues(symbol));
    const lists = await Promise.all(
      venues.map((v) => this.scripts.run('readHistory', [k.historyIds(symbol, v), k.historyEvents(symbol, v)], [limit]) as Promise<(string | null)[]>),
    );
    const out: AlertEvent[] = [];
    for (const l of lists) for (const v of l) if (v) out.push(JSON.parse(v) as AlertEvent);
    return out.sort(byNewest).slice(0, limit);
  }

  async putChart(alertId: string, png: Uint8Array, ttlMs: number): Promise<void> {
    await this.client.set(this.keys.chart(alertId), toBuffer(png), 'PX', ttlMs);
  }

  async getChart(alertId: string): Promise<Uint8Array | null> {
    const b = await this.client.getBuffer(this.keys.chart(alertId));
    return b ? new Uint8Array(b) : null;
  }

  async setMediaRef(alertId: string, platform: string, ref: string, ttlMs: number): Promise<void> {
    const key = this.keys.media(alertId);
    await this.client.hset(key, platform, ref);
    await this.client.pexpire(key, ttlMs);
  }

  async getMediaRef(alertId: string, platform: string): Promise<string | null> {
    return this.client.hget(this.keys.media(alertId), platform);
  }

  async setFeedback(alertId: string, voter: string, vote: Vote | null, ttlMs: number): Promise<FeedbackTally> {
    const vals = (await this.scripts.run('feedback', [this.keys.feedback(alertId)], [voter, vote === null ? '' : vote, ttlMs])) as string[];
    return tally(vals.map(Number));
  }

  async getFeedback(alertId: string): Promise<FeedbackTally> {
    return tally((await this.client.hvals(this.keys.feedback(alertId))).map(Number));
  }

  async getReceipt(deliveryId: string): Promise<DeliveryReceipt | null> {
    const v = await this.client.get(this.keys.receipt(deliveryId));
    return v ? (JSON.parse(v) as DeliveryReceipt) : null;
  }

  async putReceipt(deliveryId: string, receipt: DeliveryReceipt, ttlMs: number): Promise<boolean> {
    const r = await this.client.set(this.keys.receipt(deliveryId), JSON.stringify(receipt), 'PX', ttlMs, 'NX');
    return r === 'OK';
  }

  async markAttempt(deliveryId: string, start: AttemptStart, ttlMs: number): Promise<AttemptMarker | null> {
    // One script call: the new marker, keeping the first send's time, and the one it replaces.
    const r = (await this.scripts.run('markAttempt', [this.keys.attempt(deliveryId)], [start.at, start.attempt, ttlMs])) as (string | null)[];
    return attemptMarker(r);
  }

  async getAttempt(deliveryId: string): Promise<AttemptMarker | null> {
    return attemptMarker(await this.client.hmget(this.keys.attempt(deliveryId), 'at', 'attempt', 'first'));
  }

  async clearAttempt(deliveryId: string): Promise<void> {
    await this.client.del(this.keys.attempt(deliveryId));
  }

  async addSentPart(deliveryId: string, part: string, ttlMs: number): Promise<void> {
    const key = this.keys.sentParts(deliveryId);
    await this.client.multi().sadd(key, part).pexpire(key, ttlMs).exec();
  }

  async getSentParts(deliveryId: string): Promise<string[]> {
    return this.client.smembers(this.keys.sentParts(deliveryId));
  }

  async clearSentParts(deliveryId: string): Promise<void> {
    await this.client.del(this.keys.sentParts(deliveryId));
  }

  async burstOffer(destinations: readonly string[], item: string, now: number, windowMs: number): Promise<BurstOffer[]> {
    const k = this.keys;
    const chunks: Promise<number[]>[] = [];
    // All burst keys share one slot, so a whole fan-out is a few script calls, not one per destination.
    for (let i = 0; i < destinations.length; i += BURST_OFFER_CHUNK) {
      const part = destinations.slice(i, i + BURST_OFFER_CHUNK);
      const keys = part.flatMap((d) => [k.burstWindow(d), k.burstHeld(d)]);
      chunks.push(this.scripts.run('burstOffer', keys, [item, now, windowMs, windowMs * BURST_TTL_WINDOWS]) as Promise<number[]>);
    }
    const out: BurstOffer[] = [];
    for (const flat of await Promise.all(chunks)) {
      for (let j = 0; j < flat.length; j += 2) {
        const code = Number(flat[j]);
        out.push(code === 0 ? { action: 'send' } : { action: 'hold', first: code === 1, flushAt: Number(flat[j + 1]) });
      }
    }
    return out;
  }

  async burstTake(destination: string, flushAt: number, now: number, windowMs: number): Promise<BurstTaken> {
    const k = this.keys;
    const members = (await this.scripts.run(
      'burstTake',
      [k.burstWindow(destination), k.burstHeld(destination), k.burstTaken(destination, flushAt)],
      [now, windowMs, windowMs * BURST_TTL_WINDOWS],
    )) as string[];
    const taken: BurstTaken = { held: [], leads: [] };
    for (const m of members) (m.startsWith('l:') ? taken.leads : taken.held).push(m.slice(2));
    taken.held.sort();
    taken.leads.sort();
    return taken;
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.quit();
  }

  private async readIndex(key: string): Promise<Subscription[]> {
    const vals = (await this.scripts.run('readIndex', [key, this.keys.subs], [])) as string[];
    return sortById(vals.map((v) => JSON.parse(v) as Subscription));
  }
}

function attemptMarker(fields: readonly (string | null)[]): AttemptMarker | null {
  const [at, attempt, first] = fields;
  if (at === null || at === undefined) return null;
  return { at: Number(at), attempt: Number(attempt), firstAt: Number(first ?? at) };
}

function sortById(subs: Subscription[]): Subscription[] {
  return subs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
