import type { AlertRule, Sensitivity } from '../core/rules.js';
import type { AlertEvent } from '../core/types.js';

/**
 * The state tickwatch keeps: who watches what, window snapshots, alert history, delivery receipts
 * and the small coordination records of delivery (send-attempt markers, burst windows). Narrow, domain-level interfaces
 * (like grammY's StorageAdapter) so that an in-memory map and Redis implement the same contract;
 * test/store runs one conformance suite against every implementation.
 */

/** Chat kinds matter for platform rate limits (Telegram groups have their own). */
export type ChatType = 'private' | 'group' | 'channel';

/** Where a message goes: one chat (or one forum topic of it) on one platform. */
export interface ChatAddress {
  /** `discord`, `telegram`, `webhook`, `email`, `console`: lower case, no `:`. */
  platform: string;
  chatId: string;
  /** Telegram forum topic (`message_thread_id`); absent for the chat itself. */
  threadId?: string | undefined;
  chatType?: ChatType | undefined;
}

/** Alert thresholds of one subscription: an AlertRule without its derived id. */
export type Thresholds = Omit<AlertRule, 'id'>;

/** Local quiet hours: `start` and `end` are `HH:MM` in `timeZone` (IANA); may span midnight. */
export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

/** Why delivery to a subscription stopped (bot removed, user blocked the bot, chat gone). */
export interface PauseInfo {
  reason: string;
  at: number;
}

/** `watch`: one user follows a pair. `feed`: a whole channel gets a pair's alerts. */
export type SubscriptionKind = 'watch' | 'feed';

export interface Subscription {
  /** Deterministic (see subscriptionId): watching the same thing twice updates one record. */
  id: string;
  kind: SubscriptionKind;
  chat: ChatAddress;
  /** The watcher; for a feed, the member who set it up. */
  userId: string;
  /** Unified `BASE/QUOTE`. */
  symbol: string;
  /** Only this venue's alerts; absent: any venue. */
  venue?: string | undefined;
  thresholds: Thresholds;
  /** The preset the thresholds started from, for display. */
  sensitivity?: Sensitivity | undefined;
  quiet?: QuietHours | undefined;
  /** Epoch ms; alerts before it are not delivered. */
  mutedUntil?: number | undefined;
  paused?: PauseInfo | undefined;
  createdAt: number;
  updatedAt: number;
}

/** The identity of a subscription: a user watches a pair (optionally on one venue) in one chat. */
export function subscriptionId(s: Pick<Subscription, 'kind' | 'chat' | 'userId' | 'symbol' | 'venue'>): string {
  const who = s.kind === 'feed' ? '' : s.userId;
  return [s.kind, s.chat.platform, s.chat.chatId, s.chat.threadId ?? '', who, s.symbol, s.venue ?? '*'].join('|');
}

/** Limits a new subscription must respect; stored overrides (setLimit) take precedence. */
export interface SubscriptionLimits {
  /** Watches per user on one platform. */
  perUser: number;
  /** Subscriptions (watches and feeds) per chat. */
  perChat: number;
}

export type LimitScope = 'user' | 'chat';

export type PutOutcome =
  | { status: 'created' | 'updated'; subscription: Subscription }
  | { status: 'limit_reached'; scope: LimitScope; limit: number };

export interface SubscriptionStore {
  /** Creates or replaces. Creating checks the limits atomically with the insert. */
  putSubscription(sub: Subscription, limits: SubscriptionLimits): Promise<PutOutcome>;
  getSubscription(id: string): Promise<Subscription | null>;
  /**
   * Applies `change` to each subscription atomically per record (a concurrent writer never loses
   * an update); `change` returning null leaves the record as it is. Returns the updated records.
   */
  updateSubscriptions(ids: readonly string[], change: (s: Subscription) => Subscription | null): Promise<Subscription[]>;
  removeSubscriptions(ids: readonly string[]): Promise<number>;
  /** Everyone watching a symbol, on any venue: the reverse index, one round trip. */
  subscriptionsForSymbol(symbol: string): Promise<Subscription[]>;
  subscriptionsInChat(platform: string, chatId: string): Promise<Subscription[]>;
  subscriptionsOfUser(platform: string, userId: string): Promise<Subscription[]>;
  allSubscriptions(): Promise<Subscription[]>;
  /** Increases on every subscription change, so that readers can cache. */
  subscriptionsVersion(): Promise<number>;
  /** Per-user or per-chat override of the default limit (null removes it). */
  setLimit(scope: LimitScope, platform: string, id: string, limit: number | null): Promise<void>;
  getLimit(scope: LimitScope, platform: string, id: string): Promise<number | null>;
}

export interface WindowSnapshot {
  /** `venue:symbol` (streamId). */
  stream: string;
  /** Opaque to the store: the engine's serialised windows. */
  data: Uint8Array;
}

/** Bars per stream, saved periodically and on shutdown, restored on start. */
export interface SnapshotStore {
  saveSnapshots(snapshots: readonly WindowSnapshot[]): Promise<void>;
  loadSnapshot(stream: string): Promise<Uint8Array | null>;
  listSnapshots(): Promise<string[]>;
  deleteSnapshot(stream: string): Promise<void>;
}

export interface AlertRetention {
  /** Alerts kept per stream in the history. */
  historyPerStream: number;
  /** How long an alert (and its chart, feedback, media refs) stays readable by id. */
  ttlMs: number;
}

export type Vote = 1 | -1;

export interface FeedbackTally {
  up: number;
  down: number;
}

/** Alert history, alerts by id and what hangs off an alert (chart, uploads, feedback). */
export interface AlertStore {
  /** Idempotent by alert id; returns false when the alert was already recorded. */
  recordAlert(alert: AlertEvent, retention: AlertRetention): Promise<boolean>;
  getAlert(id: string): Promise<AlertEvent | null>;
  /** Newest first, across venues unless one is given. */
  recentAlerts(symbol: string, limit: number, venue?: string): Promise<AlertEvent[]>;
  putChart(alertId: string, png: Uint8Array, ttlMs: number): Promise<void>;
  getChart(alertId: string): Promise<Uint8Array | null>;
  /** A platform's handle for an uploaded chart (Telegram file_id), reused for later recipients. */
  setMediaRef(alertId: string, platform: string, ref: string, ttlMs: number): Promise<void>;
  getMediaRef(alertId: string, platform: string): Promise<string | null>;
  /** One vote per user and alert; a later vote replaces the earlier one, null withdraws it. */
  setFeedback(alertId: string, voter: string, vote: Vote | null, ttlMs: number): Promise<FeedbackTally>;
  getFeedback(alertId: string): Promise<FeedbackTally>;
}

/** What a destination answered when a message went out. */
export interface DeliveryReceipt {
  at: number;
  /** The platform's message id, when it has one. */
  messageId?: string | undefined;
  /** A reusable handle of the uploaded chart (Telegram file_id). */
  mediaRef?: string | undefined;
}

/** One receipt per delivery id: the idempotency record that stops a second send. */
export interface ReceiptStore {
  getReceipt(deliveryId: string): Promise<DeliveryReceipt | null>;
  /** Returns false when a receipt already existed (it is kept). */
  putReceipt(deliveryId: string, receipt: DeliveryReceipt, ttlMs: number): Promise<boolean>;
}

/**
 * A durable "attempting" marker written just before a delivery goes to its platform, beside the
 * receipt written just after. A marker without a receipt means a send started and its outcome is
 * unknown (the worker died, or the request failed or timed out after the platform may have
 * accepted it): the delivery is **in doubt**. The next run of the job learns it from the answer of
 * `markAttempt` and applies the in-doubt policy (`src/delivery/guarantees.ts`).
 */
export interface AttemptMarker {
  /** When the latest send started. */
  at: number;
  /** The job attempt that started it (1-based). */
  attempt: number;
  /**
   * When the first send that left no receipt started: a platform may have taken the message
   * then, so a repeat's distance from it is what a platform's dedupe window must cover.
   */
  firstAt: number;
}

/** What a send about to start records. */
export interface AttemptStart {
  at: number;
  attempt: number;
}

/** The marker a send replaces `before` with: the latest send, keeping the first one's time. */
export function nextMarker(before: AttemptMarker | null | undefined, start: AttemptStart): AttemptMarker {
  return { at: start.at, attempt: start.attempt, firstAt: before?.firstAt ?? start.at };
}

/** One send-attempt marker per delivery id: the send ledger that makes a send in doubt visible. */
export interface AttemptStore {
  /**
   * Records that a send of the delivery is starting and answers the marker it replaces: null on
   * a first send; otherwise an earlier send that left no receipt (the caller checked it). The
   * marker keeps the first such send's time (`firstAt`) across repeats.
   */
  markAttempt(deliveryId: string, start: AttemptStart, ttlMs: number): Promise<AttemptMarker | null>;
  getAttempt(deliveryId: string): Promise<AttemptMarker | null>;
  /** Drops the marker once the receipt is stored. */
  clearAttempt(deliveryId: string): Promise<void>;
  /**
   * Records that one part of a message sent in several calls (a photo before its long text) has
   * reached the platform, so that a later run of the delivery sends only the rest. Kept apart from
   * the marker: a refusal clears the marker (nothing of that call went out) but not the parts.
   */
  addSentPart(deliveryId: string, part: string, ttlMs: number): Promise<void>;
  /** Parts of the delivery already sent, in no particular order; empty when none. */
  getSentParts(deliveryId: string): Promise<string[]>;
  /** Drops the parts once the receipt is stored. */
  clearSentParts(deliveryId: string): Promise<void>;
}

export type BurstOffer =
  | { action: 'send' }
  /** Held for the merged message; `first` means the caller must schedule the flush at flushAt. */
  | { action: 'hold'; first: boolean; flushAt: number };

/** Sorted item lists; both empty when nothing was held. */
export interface BurstTaken {
  held: string[];
  leads: string[];
}

/**
 * Burst windows per destination. The first alert of a quiet destination goes out at once and
 * opens a window; alerts arriving while it is open are held and go out as one merged message
 * when it closes. Both calls are idempotent for the same item (a retried job repeats them).
 */
export interface BurstStore {
  /** Offers one alert to many destinations at once (a fan-out); answers in the same order. */
  burstOffer(destinations: readonly string[], item: string, now: number, windowMs: number): Promise<BurstOffer[]>;
  /**
   * Takes the items held for the flush at `flushAt` with the window's leads (sent at once, listed
   * again in the merged message); the same answer when repeated. When anything was held, a new
   * window opens so that a continuing storm keeps merging.
   */
  burstTake(destination: string, flushAt: number, now: number, windowMs: number): Promise<BurstTaken>;
}

/** Everything a deployment keeps; one implementation backs all of it. */
export interface Store extends SubscriptionStore, SnapshotStore, AlertStore, ReceiptStore, AttemptStore, BurstStore {
  /** `memory` or `redis`, for status output. */
  readonly kind: string;
  close(): Promise<void>;
}
