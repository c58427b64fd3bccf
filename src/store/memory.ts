import type { AlertEvent } from '../engine/core/types.js';
import { systemClock, type Clock } from '../engine/ports/clock.js';
import {
  nextMarker,
  type AlertRetention,
  type AttemptMarker,
  type AttemptStart,
  type BurstOffer,
  type BurstTaken,
  type DeliveryReceipt,
  type FeedbackTally,
  type LimitScope,
  type PutOutcome,
  type Store,
  type Subscription,
  type SubscriptionLimits,
  type Vote,
  type WindowSnapshot,
} from '../engine/ports/store.js';
import { BURST_TTL_WINDOWS, byNewest, chatIndexKey, limitField, limitOutcome, tally, userIndexKey } from './shared.js';

/** Expired entries are swept after this many writes (reads skip them anyway). */
const SWEEP_EVERY_WRITES = 1_000;

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

interface BurstWindow {
  end: number;
  leads: Set<string>;
  held: Set<string>;
  taken: Map<number, BurstTaken>;
}

/**
 * The embedded store: everything in process memory, nothing survives a restart. The default when
 * no Redis is configured, so that `npm start` works on a bare machine. Values are copied in and
 * out, so callers can never mutate stored state by accident.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  /** The record for indexing, and its JSON: what readers get back, parsed afresh (as from Redis). */
  private readonly subs = new Map<string, { sub: Subscription; json: string }>();
  private readonly bySymbol = new Map<string, Set<string>>();
  private readonly byChat = new Map<string, Set<string>>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly limits = new Map<string, number>();
  private version = 0;
  private readonly snapshots = new Map<string, Uint8Array>();
  private readonly alerts = new Map<string, Expiring<AlertEvent>>();
  /** symbol -> venue -> alert ids, newest first. */
  private readonly history = new Map<string, Map<string, string[]>>();
  private readonly charts = new Map<string, Expiring<Uint8Array>>();
  private readonly mediaRefs = new Map<string, Expiring<string>>();
  private readonly feedback = new Map<string, Expiring<Map<string, Vote>>>();
  private readonly receipts = new Map<string, Expiring<DeliveryReceipt>>();
  private readonly attempts = new Map<string, Expiring<AttemptMarker>>();
  private readonly sentParts = new Map<string, Expiring<Set<string>>>();
  private readonly bursts = new Map<string, BurstWindow>();
  private writes = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async putSubscription(sub: Subscription, limits: SubscriptionLimits): Promise<PutOutcome> {
    const existing = this.subs.get(sub.id)?.sub;
    if (!existing) {
      const checks: [LimitScope, string, number][] = [['chat', chatIndexKey(sub.chat.platform, sub.chat.chatId), limits.perChat]];
      if (sub.kind === 'watch') checks.unshift(['user', userIndexKey(sub.chat.platform, sub.userId), limits.perUser]);
      for (const [scope, key, dflt] of checks) {
        const limit = this.limits.get(limitField(scope, key)) ?? dflt;
        const used = scope === 'user' ? this.countWatches(key) : (this.byChat.get(key)?.size ?? 0);
        if (used >= limit) return limitOutcome(scope, limit);
      }
    } else {
      this.unindex(existing);
    }
    const json = JSON.stringify(sub);
    const stored = JSON.parse(json) as Subscription;
    this.subs.set(sub.id, { sub: stored, json });
    this.index(stored);
    this.version++;
    return { status: existing ? 'updated' : 'created', subscription: JSON.parse(json) as Subscription };
  }

  async getSubscription(id: string): Promise<Subscription | null> {
    const s = this.subs.get(id);
    return s ? (JSON.parse(s.json) as Subscription) : null;
  }

  async updateSubscriptions(ids: readonly string[], change: (s: Subscription) => Subscription | null): Promise<Subscription[]> {
    const out: Subscription[] = [];
    for (const id of ids) {
      const cur = this.subs.get(id);
      if (!cur) continue;
      const next = change(JSON.parse(cur.json) as Subscription);
      if (!next) continue;
      const json = JSON.stringify({ ...next, id });
      const fixed = JSON.parse(json) as Subscription;
      this.unindex(cur.sub);
      this.subs.set(id, { sub: fixed, json });
      this.index(fixed);
      this.version++;
      out.push(JSON.parse(json) as Subscription);
    }
    return out;
  }

  async removeSubscriptions(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of ids) {
      const s = this.subs.get(id);
      if (!s) continue;
      this.unindex(s.sub);
      this.subs.delete(id);
      n++;
    }
    if (n) this.version++;
    return n;
  }

  async subscriptionsForSymbol(symbol: string): Promise<Subscription[]> {
    return this.read(this.bySymbol.get(symbol));
  }

  async subscriptionsInChat(platform: string, chatId: string): Promise<Subscription[]> {
    return this.read(this.byChat.get(chatIndexKey(platform, chatId)));
  }

  async subscriptionsOfUser(platform: string, userId: string): Promise<Subscription[]> {
    return this.read(this.byUser.get(userIndexKey(platform, userId)));
  }

  async allSubscriptions(): Promise<Subscription[]> {
    return this.read(this.subs.keys());
  }

  async subscriptionsVersion(): Promise<number> {
    return this.version;
  }

  async setLimit(scope: LimitScope, platform: string, id: string, limit: number | null): Promise<void> {
    const key = limitField(scope, scope === 'user' ? userIndexKey(platform, id) : chatIndexKey(platform, id));
    if (limit === null) this.limits.delete(key);
    else this.limits.set(key, limit);
  }

  async getLimit(scope: LimitScope, platform: string, id: string): Promise<number | null> {
    return this.limits.get(limitField(scope, scope === 'user' ? userIndexKey(platform, id) : chatIndexKey(platform, id))) ?? null;
  }

  async saveSnapshots(snapshots: readonly WindowSnapshot[]): Promise<void> {
    for (const s of snapshots) this.snapshots.set(s.stream, Uint8Array.from(s.data));
  }

  async loadSnapshot(stream: string): Promise<Uint8Array | null> {
    const s = this.snapshots.get(stream);
    return s ? Uint8Array.from(s) : null;
  }

  async listSnapshots(): Promise<string[]> {
    return [...this.snapshots.keys()].sort();
  }

  async deleteSnapshot(stream: string): Promise<void> {
    this.snapshots.delete(stream);
  }

  async recordAlert(alert: AlertEvent, retention: AlertRetention): Promise<boolean> {
    if (this.live(this.alerts, alert.id)) return false;
    this.put(this.alerts, alert.id, structuredClone(alert), retention.ttlMs);
    let venues = this.history.get(alert.symbol);
    if (!venues) this.history.set(alert.symbol, (venues = new Map()));
    const list = venues.get(alert.venue) ?? [];
    list.unshift(alert.id);
    if (list.length > retention.historyPerStream) list.length = retention.historyPerStream;
    venues.set(alert.venue, list);
    return true;
  }

  async getAlert(id: string): Promise<AlertEvent | null> {
    const a = this.live(this.alerts, id);
    return a ? structuredClone(a) : null;
  }

  async recentAlerts(symbol: string, limit: number, venue?: string): Promise<AlertEvent[]> {
    const out: AlertEvent[] = [];
    for (const [v, ids] of this.history.get(symbol) ?? []) {
      if (venue !== undefined && v !== venue) continue;
      for (const id of ids.slice(0, limit)) {
        const a = this.live(this.alerts, id);
        if (a) out.push(structuredClone(a));
      }
    }
    return out.sort(byNewest).slice(0, limit);
  }

  async putChart(alertId: string, png: Uint8Array, ttlMs: number): Promise<void> {
    this.put(this.charts, alertId, Uint8Array.from(png), ttlMs);
  }

  async getChart(alertId: string): Promise<Uint8Array | null> {
    const c = this.live(this.charts, alertId);
    return c ? Uint8Array.from(c) : null;
  }

  async setMediaRef(alertId: string, platform: string, ref: string, ttlMs: number): Promise<void> {
    this.put(this.mediaRefs, `${alertId}|${platform}`, ref, ttlMs);
  }

  async getMediaRef(alertId: string, platform: string): Promise<string | null> {
    return this.live(this.mediaRefs, `${alertId}|${platform}`) ?? null;
  }

  async setFeedback(alertId: string, voter: string, vote: Vote | null, ttlMs: number): Promise<FeedbackTally> {
    const votes = this.live(this.feedback, alertId) ?? new Map<string, Vote>();
    if (vote === null) votes.delete(voter);
    else votes.set(voter, vote);
    this.put(this.feedback, alertId, votes, ttlMs);
    return tally(votes.values());
  }

  async getFeedback(alertId: string): Promise<FeedbackTally> {
    return tally(this.live(this.feedback, alertId)?.values() ?? []);
  }

  async getReceipt(deliveryId: string): Promise<DeliveryReceipt | null> {
    const r = this.live(this.receipts, deliveryId);
    return r ? { ...r } : null;
  }

  async putReceipt(deliveryId: string, receipt: DeliveryReceipt, ttlMs: number): Promise<boolean> {
    if (this.live(this.receipts, deliveryId)) return false;
    this.put(this.receipts, deliveryId, { ...receipt }, ttlMs);
    return true;
  }

  async markAttempt(deliveryId: string, start: AttemptStart, ttlMs: number): Promise<AttemptMarker | null> {
    const before = this.live(this.attempts, deliveryId);
    this.put(this.attempts, deliveryId, nextMarker(before, start), ttlMs);
    return before ? { ...before } : null;
  }

  async getAttempt(deliveryId: string): Promise<AttemptMarker | null> {
    const m = this.live(this.attempts, deliveryId);
    return m ? { ...m } : null;
  }

  async clearAttempt(deliveryId: string): Promise<void> {
    this.attempts.delete(deliveryId);
  }

  async addSentPart(deliveryId: string, part: string, ttlMs: number): Promise<void> {
    const parts = new Set(this.live(this.sentParts, deliveryId));
    parts.add(part);
    this.put(this.sentParts, deliveryId, parts, ttlMs);
  }

  async getSentParts(deliveryId: string): Promise<string[]> {
    return [...(this.live(this.sentParts, deliveryId) ?? [])];
  }

  async clearSentParts(deliveryId: string): Promise<void> {
    this.sentParts.delete(deliveryId);
  }

  async burstOffer(destinations: readonly string[], item: string, now: number, windowMs: number): Promise<BurstOffer[]> {
    return destinations.map((d) => this.offerOne(d, item, now, windowMs));
  }

  private offerOne(destination: string, item: string, now: number, windowMs: number): BurstOffer {
    let w = this.bursts.get(destination);
    if (w?.leads.has(item)) return { action: 'send' };
    if (w?.held.has(item)) return { action: 'hold', first: false, flushAt: w.end };
    if (!w || now >= w.end) {
      w = { end: now + windowMs, leads: new Set([item]), held: new Set(), taken: w?.taken ?? new Map() };
      this.bursts.set(destination, w);
      return { action: 'send' };
    }
    w.held.add(item);
    return { action: 'hold', first: w.held.size === 1, flushAt: w.end };
  }

  async burstTake(destination: string, flushAt: number, now: number, windowMs: number): Promise<BurstTaken> {
    const w = this.bursts.get(destination);
    if (!w) return { held: [], leads: [] };
    const done = w.taken.get(flushAt);
    if (done) return structuredClone(done);
    if (w.held.size === 0) return { held: [], leads: [] };
    const taken = { held: [...w.held].sort(), leads: [...w.leads].sort() };
    w.taken.set(flushAt, taken);
    // Forget old flushes: only a retry of a recent one can ask again.
    for (const k of w.taken.keys()) if (k < now - BURST_TTL_WINDOWS * windowMs) w.taken.delete(k);
    w.held.clear();
    w.leads.clear();
    w.end = now + windowMs;
    return structuredClone(taken);
  }

  async close(): Promise<void> {}

  private countWatches(userKey: string): number {
    let n = 0;
    for (const id of this.byUser.get(userKey) ?? []) if (this.subs.get(id)?.sub.kind === 'watch') n++;
    return n;
  }

  private read(ids: Iterable<string> | undefined): Subscription[] {
    const out: Subscription[] = [];
    for (const id of ids ?? []) {
      const s = this.subs.get(id);
      if (s) out.push(JSON.parse(s.json) as Subscription);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private index(s: Subscription): void {
    add(this.bySymbol, s.symbol, s.id);
    add(this.byChat, chatIndexKey(s.chat.platform, s.chat.chatId), s.id);
    if (s.kind === 'watch') add(this.byUser, userIndexKey(s.chat.platform, s.userId), s.id);
  }

  private unindex(s: Subscription): void {
    remove(this.bySymbol, s.symbol, s.id);
    remove(this.byChat, chatIndexKey(s.chat.platform, s.chat.chatId), s.id);
    remove(this.byUser, userIndexKey(s.chat.platform, s.userId), s.id);
  }

  private live<T>(m: Map<string, Expiring<T>>, key: string): T | undefined {
    const e = m.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      m.delete(key);
      return undefined;
    }
    return e.value;
  }

  private put<T>(m: Map<string, Expiring<T>>, key: string, value: T, ttlMs: number): void {
    m.set(key, { value, expiresAt: this.clock.now() + ttlMs });
    if (++this.writes % SWEEP_EVERY_WRITES === 0) this.sweep();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const m of [this.alerts, this.charts, this.mediaRefs, this.feedback, this.receipts, this.attempts, this.sentParts] as Map<string, Expiring<unknown>>[]) {
      for (const [k, e] of m) if (e.expiresAt <= now) m.delete(k);
    }
  }
}

function add(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function remove(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}
