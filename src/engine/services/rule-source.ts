import { makeRule, SENSITIVITY_PRESETS, type AlertRule } from '../core/rules.js';
import type { RuleSource } from '../ports/rule-source.js';
import type { Subscription, SubscriptionStore, Thresholds } from '../ports/store.js';

/** How often a process re-reads the store's subscription version (changes made elsewhere). */
export const RULES_POLL_MS = 1_000;

interface SymbolRules {
  anyVenue: Map<string, AlertRule>;
  byVenue: Map<string, Map<string, AlertRule>>;
}

export interface StoreRuleSourceOptions {
  /** Rules every stream gets besides the subscribers' (operator routes such as webhooks). */
  everywhere?: readonly Thresholds[] | undefined;
  onError?: ((err: unknown, context: string) => void) | undefined;
}

/**
 * The engine's RuleSource over the subscription store: for a stream, the distinct thresholds of
 * everyone watching it (paused subscriptions left out; muted ones kept, since a mute ends by
 * itself). `rulesFor` is synchronous and answers from memory; refresh() reloads when the store's
 * version moved and then bumps `version`, so the engine re-asks. Call refresh() after a change in
 * this process, and start() to notice changes made by other processes.
 */
export class StoreRuleSource implements RuleSource {
  version = 0;
  private storeVersion = -1;
  private bySymbol = new Map<string, SymbolRules>();
  private readonly everywhere: AlertRule[];
  private readonly answers = new Map<string, readonly AlertRule[]>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private inFlight: Promise<boolean> | null = null;
  private again = false;

  constructor(
    private readonly store: SubscriptionStore,
    private readonly opts: StoreRuleSourceOptions = {},
  ) {
    this.everywhere = dedupe((opts.everywhere ?? []).map(makeRule));
  }

  rulesFor(venue: string, symbol: string): readonly AlertRule[] {
    const key = `${venue}\u0000${symbol}`;
    let r = this.answers.get(key);
    if (!r) {
      const s = this.bySymbol.get(symbol);
      const all = new Map<string, AlertRule>();
      for (const rule of this.everywhere) all.set(rule.id, rule);
      if (s) {
        for (const [id, rule] of s.anyVenue) all.set(id, rule);
        for (const [id, rule] of s.byVenue.get(venue) ?? []) all.set(id, rule);
      }
      r = [...all.values()];
      this.answers.set(key, r);
    }
    return r;
  }

  /** Reloads when the store changed; resolves true when it did. Calls made meanwhile coalesce. */
  refresh(): Promise<boolean> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      let changed = false;
      try {
        do {
          this.again = false;
          changed = (await this.reload()) || changed;
        } while (this.again);
      } finally {
        this.inFlight = null;
      }
      return changed;
    })();
    return this.inFlight;
  }

  /** Loads once, then polls the store's version. */
  async start(pollMs = RULES_POLL_MS): Promise<void> {
    await this.refresh();
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.opts.onError?.(err, 'rule source refresh'));
    }, pollMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async reload(): Promise<boolean> {
    const v = await this.store.subscriptionsVersion();
    if (v === this.storeVersion) return false;
    const subs = await this.store.allSubscriptions();
    this.bySymbol = index(subs);
    this.storeVersion = v;
    this.answers.clear();
    this.version++;
    return true;
  }
}

/**
 * The rule a subscription asks for. Fields a stored record lacks (thresholds added to the product
 * after it was saved) come from its preset, so old records keep working.
 */
export function subscriptionRule(s: Pick<Subscription, 'thresholds' | 'sensitivity'>): AlertRule {
  return makeRule({ ...SENSITIVITY_PRESETS[s.sensitivity ?? 'normal'], ...s.thresholds });
}

function index(subs: readonly Subscription[]): Map<string, SymbolRules> {
  const out = new Map<string, SymbolRules>();
  for (const s of subs) {
    if (s.paused) continue;
    let e = out.get(s.symbol);
    if (!e) out.set(s.symbol, (e = { anyVenue: new Map(), byVenue: new Map() }));
    const rule = subscriptionRule(s);
    if (s.venue === undefined) e.anyVenue.set(rule.id, rule);
    else {
      let m = e.byVenue.get(s.venue);
      if (!m) e.byVenue.set(s.venue, (m = new Map()));
      m.set(rule.id, rule);
    }
  }
  return out;
}

function dedupe(rules: AlertRule[]): AlertRule[] {
  return [...new Map(rules.map((r) => [r.id, r])).values()];
}
