import { UserError } from '../core/errors.js';
import { RULE_LIMITS, SENSITIVITIES, SENSITIVITY_PRESETS, type Sensitivity } from '../core/rules.js';
import type { DirectionFilter } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import {
  subscriptionId,
  type ChatAddress,
  type QuietHours,
  type Subscription,
  type SubscriptionKind,
  type SubscriptionLimits,
  type SubscriptionStore,
  type Thresholds,
} from '../ports/store.js';
import { checkQuietHours } from './quiet-hours.js';

/** What a symbol resolver answers: the unified symbol, or why not with the closest matches. */
export type SymbolResolution =
  | { ok: true; symbol: string }
  | { ok: false; reason: 'unknown_symbol' | 'unknown_venue'; suggestions: string[] };

/** Turns user input (`btc/usdt`, `BTCUSDT`) into a known unified symbol; the feeds supply it. */
export type SymbolResolver = (input: string, venue?: string) => SymbolResolution | Promise<SymbolResolution>;

/** Who is asking: the chat the command came from and the user who sent it. */
export interface Actor {
  chat: ChatAddress;
  userId: string;
}

export interface WatchRequest {
  symbol: string;
  venue?: string | undefined;
  /** Preset to start from (default: the service's default sensitivity). */
  sensitivity?: Sensitivity | undefined;
  /** Explicit thresholds, over the preset. */
  thresholds?: Partial<Thresholds> | undefined;
}

/** Bounds of mute durations a user may ask for. */
export const MUTE_LIMITS = { minMs: 60_000, maxMs: 30 * 24 * 3_600_000 } as const;

const DIRECTIONS: readonly DirectionFilter[] = ['up', 'down', 'both'];

export interface SubscriptionServiceDeps {
  store: SubscriptionStore;
  clock: Clock;
  resolveSymbol: SymbolResolver;
  limits: SubscriptionLimits;
  defaultSensitivity?: Sensitivity | undefined;
  /** Called after every change, e.g. to refresh a StoreRuleSource in the same process at once. */
  onChange?: (() => void) | undefined;
}

/**
 * The use cases behind the chat commands: watch, unwatch, list, thresholds, sensitivity, mute,
 * quiet hours, channel feeds, pause and resume. Every refusal is a UserError with a stable code
 * and a message that says what is allowed.
 */
export class SubscriptionService {
  private readonly defaultSensitivity: Sensitivity;

  constructor(private readonly deps: SubscriptionServiceDeps) {
    this.defaultSensitivity = deps.defaultSensitivity ?? 'normal';
  }

  async watch(actor: Actor, req: WatchRequest): Promise<Subscription> {
    const symbol = await this.resolve(req.symbol, req.venue);
    const existing = await this.deps.store.subscriptionsOfUser(actor.chat.platform, actor.userId);
    // A new watch inherits the user's quiet hours (they are personal, not per pair).
    const quiet = existing.find((s) => s.quiet)?.quiet;
    const sub = this.build('watch', actor, symbol, req, quiet);
    const prev = await this.deps.store.getSubscription(sub.id);
    if (prev) {
      sub.createdAt = prev.createdAt;
      sub.mutedUntil = prev.mutedUntil;
      sub.quiet = prev.quiet ?? quiet;
    }
    return (await this.put([sub]))[0] as Subscription;
  }

  /** Removes the user's watches of a symbol in this chat (every venue unless one is given). */
  async unwatch(actor: Actor, symbol: string, venue?: string): Promise<Subscription[]> {
    const mine = await this.watchesInChat(actor);
    const wanted = normalizeSymbol(symbol);
    const gone = mine.filter((s) => s.symbol === wanted && (venue === undefined || s.venue === venue));
    if (gone.length === 0) throw this.notWatching(wanted, mine);
    await this.deps.store.removeSubscriptions(gone.map((s) => s.id));
    this.changed();
    return gone;
  }

  /** The user's watches on this platform and the feeds of this chat. */
  async list(actor: Actor): Promise<{ watches: Subscription[]; feeds: Subscription[] }> {
    const [mine, chat] = await Promise.all([
      this.deps.store.subscriptionsOfUser(actor.chat.platform, actor.userId),
      this.deps.store.subscriptionsInChat(actor.chat.platform, actor.chat.chatId),
    ]);
    return { watches: mine, feeds: chat.filter((s) => s.kind === 'feed') };
  }

  /** Changes thresholds of the user's watches of a symbol in this chat. */
  async setThresholds(actor: Actor, symbol: string, changes: Partial<Thresholds>, venue?: string): Promise<Subscription[]> {
    const targets = (await this.watchesInChat(actor)).filter(
      (s) => s.symbol === normalizeSymbol(symbol) && (venue === undefined || s.venue === venue),
    );
    if (targets.length === 0) throw this.notWatching(normalizeSymbol(symbol), await this.watchesInChat(actor));
    for (const s of targets) checkThresholds({ ...s.thresholds, ...changes });
    return this.update(targets, (s) => ({ ...s, thresholds: { ...s.thresholds, ...changes } }));
  }

  /** Resets thresholds to a preset: one symbol, or every watch of the user in this chat. */
  async setSensitivity(actor: Actor, sensitivity: Sensitivity, symbol?: string): Promise<Subscription[]> {
    checkSensitivity(sensitivity);
    const mine = await this.watchesInChat(actor);
    const targets = symbol === undefined ? mine : mine.filter((s) => s.symbol === normalizeSymbol(symbol));
    if (targets.length === 0) throw symbol === undefined ? nothingWatched() : this.notWatching(normalizeSymbol(symbol), mine);
    return this.update(targets, (s) => ({ ...s, sensitivity, thresholds: { ...SENSITIVITY_PRESETS[sensitivity] } }));
  }

  /** Silences the user's watches on this platform (one symbol, or all) for a while. */
  async mute(actor: Actor, durationMs: number, symbol?: string): Promise<{ until: number; subscriptions: Subscription[] }> {
    checkRange('mute duration', durationMs, MUTE_LIMITS.minMs, MUTE_LIMITS.maxMs, showDuration);
    const until = this.deps.clock.now() + durationMs;
    const subscriptions = await this.update(await this.personalTargets(actor, symbol), (s) => ({ ...s, mutedUntil: until }));
    return { until, subscriptions };
  }

  async unmute(actor: Actor, symbol?: string): Promise<Subscription[]> {
    return this.update(await this.personalTargets(actor, symbol), (s) => (s.mutedUntil === undefined ? null : { ...s, mutedUntil: undefined }));
  }

  /** Mutes a chat's feeds (one symbol, or all): the Snooze button on a feed alert. */
  async muteFeeds(chat: ChatAddress, durationMs: number, symbol?: string): Promise<{ until: number; subscriptions: Subscription[] }> {
    checkRange('mute duration', durationMs, MUTE_LIMITS.minMs, MUTE_LIMITS.maxMs, showDuration);
    const until = this.deps.clock.now() + durationMs;
    const feeds = (await this.feedsOf(chat)).filter((s) => symbol === undefined || s.symbol === normalizeSymbol(symbol));
    if (feeds.length === 0) throw new UserError('not_found', 'this chat has no such feed', { symbol });
    return { until, subscriptions: await this.update(feeds, (s) => ({ ...s, mutedUntil: until })) };
  }

  /** Sets (or clears, with null) the user's quiet hours on every watch on this platform. */
  async setQuietHours(actor: Actor, quiet: QuietHours | null): Promise<Subscription[]> {
    const q = quiet === null ? undefined : checkQuietHours(quiet);
    return this.update(await this.personalTargets(actor), (s) => ({ ...s, quiet: q }));
  }

  /**
   * Starts a channel-wide feed of the given pairs in `actor.chat` (the bot checks that the actor
   * may manage the channel). All or nothing: a limit reached part-way leaves no new feed behind.
   */
  async feed(actor: Actor, symbols: readonly string[], opts: Omit<WatchRequest, 'symbol'> = {}): Promise<Subscription[]> {
    if (symbols.length === 0) throw new UserError('bad_input', 'name at least one pair for the feed, e.g. BTC/USDT ETH/USDT');
    const resolved = [...new Set(await Promise.all(symbols.map((s) => this.resolve(s, opts.venue))))];
    const subs = resolved.map((symbol) => this.build('feed', actor, symbol, opts, undefined));
    return this.put(subs);
  }

  /** Stops a chat's feed of some pairs, or all of it. Returns how many pairs stopped. */
  async unfeed(chat: ChatAddress, symbols?: readonly string[]): Promise<number> {
    const wanted = symbols?.map(normalizeSymbol);
    const gone = (await this.feedsOf(chat)).filter((s) => !wanted || wanted.includes(s.symbol));
    if (gone.length === 0) throw new UserError('not_found', wanted ? `this chat has no feed of ${wanted.join(', ')}` : 'this chat has no feed', {});
    const n = await this.deps.store.removeSubscriptions(gone.map((s) => s.id));
    this.changed();
    return n;
  }

  /** Stops delivery to a chat that can no longer receive (bot removed, blocked, chat gone). */
  async pauseChat(platform: string, chatId: string, reason: string): Promise<Subscription[]> {
    const out = await pauseChat(this.deps.store, this.deps.clock.now(), platform, chatId, reason);
    if (out.length) this.changed();
    return out;
  }

  /** The actor's paused watches and the paused feeds they set up: what to tell them when they next talk. */
  async pausedFor(actor: Actor): Promise<Subscription[]> {
    return (await this.ownedBy(actor)).filter((s) => s.paused);
  }

  async resume(actor: Actor): Promise<Subscription[]> {
    return this.update(await this.pausedFor(actor), (s) => ({ ...s, paused: undefined }));
  }

  private async ownedBy(actor: Actor): Promise<Subscription[]> {
    const [mine, chat] = await Promise.all([
      this.deps.store.subscriptionsOfUser(actor.chat.platform, actor.userId),
      this.deps.store.subscriptionsInChat(actor.chat.platform, actor.chat.chatId),
    ]);
    return [...mine, ...chat.filter((s) => s.kind === 'feed' && s.userId === actor.userId)];
  }

  private async personalTargets(actor: Actor, symbol?: string): Promise<Subscription[]> {
    const mine = await this.deps.store.subscriptionsOfUser(actor.chat.platform, actor.userId);
    const targets = symbol === undefined ? mine : mine.filter((s) => s.symbol === normalizeSymbol(symbol));
    if (targets.length === 0) throw symbol === undefined ? nothingWatched() : this.notWatching(normalizeSymbol(symbol), mine);
    return targets;
  }

  private async watchesInChat(actor: Actor): Promise<Subscription[]> {
    return (await this.deps.store.subscriptionsOfUser(actor.chat.platform, actor.userId)).filter(
      (s) => s.chat.chatId === actor.chat.chatId && (s.chat.threadId ?? '') === (actor.chat.threadId ?? ''),
    );
  }

  private async feedsOf(chat: ChatAddress): Promise<Subscription[]> {
    return (await this.deps.store.subscriptionsInChat(chat.platform, chat.chatId)).filter(
      (s) => s.kind === 'feed' && (s.chat.threadId ?? '') === (chat.threadId ?? ''),
    );
  }

  private build(kind: SubscriptionKind, actor: Actor, symbol: string, req: Omit<WatchRequest, 'symbol'>, quiet: QuietHours | undefined): Subscription {
    const sensitivity = req.sensitivity ?? this.defaultSensitivity;
    checkSensitivity(sensitivity);
    const thresholds = { ...SENSITIVITY_PRESETS[sensitivity], ...definedOnly(req.thresholds ?? {}) };
    checkThresholds(thresholds);
    const now = this.deps.clock.now();
    const base = { kind, chat: { ...actor.chat }, userId: actor.userId, symbol, venue: req.venue };
    return {
      ...base,
      id: subscriptionId(base),
      thresholds,
      sensitivity: req.thresholds && Object.keys(definedOnly(req.thresholds)).length ? undefined : sensitivity,
      quiet,
      createdAt: now,
      updatedAt: now,
    };
  }

  private async put(subs: Subscription[]): Promise<Subscription[]> {
    const out: Subscription[] = [];
    const created: string[] = [];
    for (const s of subs) {
      const r = await this.deps.store.putSubscription(s, this.deps.limits);
      if (r.status === 'limit_reached') {
        if (created.length) await this.deps.store.removeSubscriptions(created);
        this.changed();
        const who = r.scope === 'user' ? 'you already watch' : 'this chat already has';
        throw new UserError('limit_reached', `${who} ${r.limit} subscriptions, the most allowed; unwatch one first`, {
          scope: r.scope,
          limit: r.limit,
        });
      }
      if (r.status === 'created') created.push(s.id);
      out.push(r.subscription);
    }
    this.changed();
    return out;
  }

  private async update(targets: readonly Subscription[], change: (s: Subscription) => Subscription | null): Promise<Subscription[]> {
    if (targets.length === 0) return [];
    const now = this.deps.clock.now();
    const out = await this.deps.store.updateSubscriptions(
      targets.map((s) => s.id),
      (s) => {
        const next = change(s);
        return next ? { ...next, updatedAt: now } : null;
      },
    );
    if (out.length) this.changed();
    return out;
  }

  private resolve(input: string, venue?: string): Promise<string> {
    return resolveSymbolOrThrow(this.deps.resolveSymbol, input, venue);
  }

  private notWatching(symbol: string, mine: readonly Subscription[]): UserError {
    const pairs = [...new Set(mine.map((s) => s.symbol))];
    return new UserError('not_found', `you do not watch ${symbol} here${pairs.length ? ` (you watch ${pairs.join(', ')})` : ''}`, {
      symbol,
      watching: pairs,
    });
  }

  private changed(): void {
    this.deps.onChange?.();
  }
}

/**
 * Pauses every subscription of a chat with the reason (already paused ones keep theirs). Delivery
 * calls it when a platform says the chat can no longer receive.
 */
export async function pauseChat(store: SubscriptionStore, at: number, platform: string, chatId: string, reason: string): Promise<Subscription[]> {
  const subs = await store.subscriptionsInChat(platform, chatId);
  if (subs.length === 0) return [];
  return store.updateSubscriptions(
    subs.map((s) => s.id),
    (s) => (s.paused ? null : { ...s, paused: { reason, at }, updatedAt: at }),
  );
}

function nothingWatched(): UserError {
  return new UserError('not_found', 'you do not watch any pair yet; start with watch PAIR', {});
}

/** Upper case, trimmed: how stored symbols are spelt. */
export function normalizeSymbol(s: string): string {
  return s.trim().toUpperCase();
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkSensitivity(s: string): asserts s is Sensitivity {
  if (!(SENSITIVITIES as readonly string[]).includes(s)) {
    throw new UserError('bad_input', `sensitivity must be one of ${SENSITIVITIES.join(', ')}, got "${s}"`, { allowed: SENSITIVITIES });
  }
}

function checkRange(field: string, value: number, min: number, max: number, show: (n: number) => string = String, label = field): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UserError('out_of_range', `${label} must be between ${show(min)} and ${show(max)}, got ${show(value)}`, { field, min, max, value });
  }
}

/** How threshold fields read in messages. */
const THRESHOLD_LABELS: Record<keyof typeof RULE_LIMITS, string> = {
  minScore: 'score',
  movePct: 'move %',
  moveWindowMs: 'window',
  minMoveSigma: 'move significance (sigma)',
  cooldownMs: 'cooldown',
  minQuoteVolume: 'minimum volume',
};

/** `90 seconds`, `2 hours`, `30 days`: the largest unit that divides the duration exactly, as people type them. */
export function showDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const units: [number, string][] = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1_000, 'second']];
  for (const [size, name] of units) {
    if (Math.abs(ms) >= size && ms % size === 0) return `${ms / size} ${name}${ms / size === 1 ? '' : 's'}`;
  }
  return `${ms} ms`;
}

/** Throws the first threshold outside RULE_LIMITS, naming the allowed range. */
export function checkThresholds(t: Thresholds): void {
  for (const field of Object.keys(RULE_LIMITS) as (keyof typeof RULE_LIMITS)[]) {
    const show = field.endsWith('Ms') ? showDuration : String;
    checkRange(field, t[field], RULE_LIMITS[field].min, RULE_LIMITS[field].max, show, THRESHOLD_LABELS[field]);
  }
  if (!DIRECTIONS.includes(t.direction)) {
    throw new UserError('bad_input', `direction must be one of ${DIRECTIONS.join(', ')}, got "${String(t.direction)}"`, { allowed: DIRECTIONS });
  }
}

/**
 * Resolves what the user typed to a known symbol, or throws the UserError that names the unknown
 * pair or venue with up to five suggestions. Commands and this service word it the same way.
 */
export async function resolveSymbolOrThrow(resolveSymbol: SymbolResolver, input: string, venue?: string): Promise<string> {
  const r = await resolveSymbol(input.trim(), venue);
  if (r.ok) return r.symbol;
  const hint = r.suggestions.length ? `; did you mean ${r.suggestions.slice(0, 5).join(', ')}?` : '';
  const what = r.reason === 'unknown_venue' ? `venue "${venue}"` : `pair "${input}"`;
  throw new UserError(r.reason, `unknown ${what}${hint}`, { input, venue, suggestions: r.suggestions });
}
