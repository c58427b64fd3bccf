import { fnv1a } from '../core/math.js';
import type { AlertRule } from '../core/rules.js';
import type { AlertEvent, Direction, DetectorScore, Evaluation, PriceChange } from '../core/types.js';
import { formatChange, formatDuration, formatPct, formatScore } from './format.js';
import { moveSigmas, moveSteps, type WindowMove } from '../windows/move.js';

/**
 * Within a rule's cooldown, a second alert in the same direction must beat the last alert's price
 * by at least this share of the last alert's own move (and at least the rule's move threshold): a
 * pump that keeps going reports its continuation a few times, geometrically spaced, instead of
 * flooding.
 */
export const REARM_FRACTION = 1;
/**
 * Within a rule's cooldown after an alert in one direction, a move the other way alerts only once
 * it is at least this share of that alert's move: a bounce of 1% after a reported -7.6% crash, or
 * the first wobble of a pump's top after +31%, is part of the story already told; a rebound or a
 * dump that gives back half of it is news.
 */
export const REVERSAL_FRACTION = 0.5;
/** Smallest re-arm distance, in percent, for rules without a move threshold. */
export const REARM_MIN_PCT = 1;
/**
 * A move is measured from its window's extreme, which can lie minutes back while the move itself
 * took seconds (a flash crash after a quiet drift). When the last FAST_LEG_MS hold at least
 * FAST_LEG_SHARE of a move measured over at least FAST_LEG_BEFORE times FAST_LEG_MS (a minute),
 * the explanation says so: "moved -4.64% in 4 minutes (-3.79% in the last 2 seconds)".
 */
export const FAST_LEG_MS = 15_000;
export const FAST_LEG_SHARE = 0.5;
export const FAST_LEG_BEFORE = 4;
/**
 * A price move must span at least this many of the stream's price increments (its tick, as its
 * trades show it). Where the tick is a large share of the price (a low-priced coin, an alt quoted
 * in BTC) one tick can pass every percentage and sigma threshold; one tick is the bid-ask bounce,
 * two a step and the bounce. Inert where ticks are fine (3 ticks of BTC/USDT are $0.03).
 */
export const MIN_MOVE_TICKS = 3;

interface DirectionState {
  lastTs: number;
  lastPrice: number;
  lastPct: number;
}

/** Per stream, per rule, per direction: when and where the last alert fired. */
export class AlertState {
  private readonly byRule = new Map<string, { up: DirectionState | null; down: DirectionState | null }>();

  get(ruleId: string, d: Direction): DirectionState | null {
    return this.byRule.get(ruleId)?.[d] ?? null;
  }

  set(ruleId: string, d: Direction, s: DirectionState): void {
    let e = this.byRule.get(ruleId);
    if (!e) {
      e = { up: null, down: null };
      this.byRule.set(ruleId, e);
    }
    e[d] = s;
  }

  /** Forgets rules no longer in use. */
  retain(ids: ReadonlySet<string>): void {
    for (const k of this.byRule.keys()) if (!ids.has(k)) this.byRule.delete(k);
  }

  get size(): number {
    return this.byRule.size;
  }
}

/**
 * Whether a new alert of a rule in direction d may fire after the last one: the cooldown is over,
 * or the price has gone past the last alert's by the re-arm distance.
 */
function rearmed(r: AlertRule, d: Direction, last: DirectionState, ts: number, price: number): boolean {
  if (ts - last.lastTs >= r.cooldownMs) return true;
  const need = Math.max(r.movePct, REARM_FRACTION * Math.abs(last.lastPct), REARM_MIN_PCT) / 100;
  return d === 'up' ? price >= last.lastPrice * (1 + need) : price <= last.lastPrice * (1 - need);
}

/** Whether a move may alert against the rule's last alert the other way (`opposite`): REVERSAL_FRACTION. */
function reverses(r: AlertRule, opposite: DirectionState | null, ts: number, change: PriceChange): boolean {
  return !opposite || ts - opposite.lastTs >= r.cooldownMs || Math.abs(change.pct) >= REVERSAL_FRACTION * Math.abs(opposite.lastPct);
}

interface MoveRecord extends DirectionState {
  id: string;
  venue: string;
  cooldownMs: number;
  /** The recorded alert already called the move market-wide. */
  wide: boolean;
  /** Set on a venue's breakaway (a divergence alert): the side it broke away to. */
  side?: Direction;
}

const isWide = (a: AlertEvent): boolean => a.consensus?.kind === 'market-wide';

/**
 * One symbol's moves across its venues: per rule and direction, the alert that last reported a
 * move of the symbol on any venue. A market-wide move alerts on every venue that carries the
 * symbol, seconds apart; against this record the later ones are marked as echoes of the first
 * (`AlertEvent.echo`) with the same cooldown and re-arm rule that one stream applies to itself, so
 * a follower of the symbol hears of the move once and of its continuation as it goes further. The
 * first venue to alert often does so before the others have moved: a later alert that finds the
 * move market-wide when the recorded one did not is news, not an echo. Alerts need their
 * consensus before they are marked.
 */
export class SymbolMoves {
  private readonly bySymbol = new Map<string, Map<string, MoveRecord>>();

  /**
   * Marks the alerts of one evaluated bar (all of one stream) that repeat another venue's alert,
   * and records the rest. `rules` are the stream's rules (for their cooldown and re-arm distance).
   */
  mark(alerts: AlertEvent[], rules: readonly AlertRule[]): void {
    for (const a of alerts) {
      const book = this.book(a.symbol);
      const repeated: string[] = [];
      let first: MoveRecord | undefined;
      const repeats = (id: string, of: MoveRecord) => {
        repeated.push(id);
        if (!first || of.lastTs < first.lastTs) first = of;
      };
      // A move of this venue alone while it is broken away from the others: followers of the
      // symbol heard of the breakaway; its way back, or a step further that does not pass the
      // re-arm distance, is part of it.
      const away = a.consensus?.kind === 'venue-specific' ? book.get(breakawayKey(a.venue)) : undefined;
      const brk = away && a.ts - away.lastTs < away.cooldownMs ? away : undefined;
      for (const id of a.rules) {
        const r = rules.find((x) => x.id === id);
        if (!r) continue;
        if (brk && (brk.side !== a.direction || !rearmed(r, a.direction, brk, a.ts, a.price))) {
          repeats(id, brk);
          continue;
        }
        const key = `${id}|${a.direction}`;
        const last = book.get(key);
        if (last && last.venue !== a.venue && !rearmed(r, a.direction, last, a.ts, a.price) && (last.wide || !isWide(a))) {
          repeats(id, last);
          continue;
        }
        book.set(key, { lastTs: a.ts, lastPrice: a.price, lastPct: a.change.pct, id: a.id, venue: a.venue, cooldownMs: r.cooldownMs, wide: isWide(a) });
      }
      if (first) a.echo = { of: first.id, venue: first.venue, ts: first.lastTs, rules: repeated, ...(first.side ? { breakaway: true } : {}) };
      // Records past their cooldown can no longer mark anything.
      for (const [k, m] of book) if (a.ts - m.lastTs >= m.cooldownMs) book.delete(k);
      if (book.size === 0) this.bySymbol.delete(a.symbol);
    }
  }

  /**
   * Records a venue's breakaway from the others (a divergence alert, already published): for
   * `windowMs` after it, that venue's own venue-specific alerts back toward the others, or further
   * out by less than the re-arm distance, are marked as part of it.
   */
  noteBreakaway(a: AlertEvent, windowMs: number): void {
    this.book(a.symbol).set(breakawayKey(a.venue), { lastTs: a.ts, lastPrice: a.price, lastPct: a.change.pct, id: a.id, venue: a.venue, cooldownMs: windowMs, wide: false, side: a.direction });
  }

  private book(symbol: string): Map<string, MoveRecord> {
    let book = this.bySymbol.get(symbol);
    if (!book) this.bySymbol.set(symbol, (book = new Map()));
    return book;
  }

  /** Symbols with a move on record. */
  get size(): number {
    return this.bySymbol.size;
  }
}

function breakawayKey(venue: string): string {
  return `!${venue}`;
}

/**
 * A move is measured from its window's extreme: one that began after minutes of trading near that
 * extreme (a pump on a thin alt that bounced at its low first) reads diluted over the whole time.
 * A move that fails a rule's gates over its window is looked at again over the last SHORT_LOOK_MS
 * (when that is shorter, and spans at least SHORT_LOOK_MIN_BARS bars), and passes if it is at
 * least SHORT_LOOK_PCT times the rule's `movePct` there and passes the other gates: a second look
 * finds more of the market's ordinary moves, and asking it for a larger one keeps the calm as
 * quiet as one look does.
 */
export const SHORT_LOOK_MS = 60_000;
export const SHORT_LOOK_PCT = 2;
export const SHORT_LOOK_MIN_BARS = 10;

/** Whether a window's move in direction d passes a rule's size, tick and sigma gates (size: at least `pct`). */
function moveQualifies(r: AlertRule, m: WindowMove, d: Direction, change: PriceChange, pct = r.movePct): boolean {
  if (!Number.isFinite(change.pct)) return false;
  if (pct > 0 && Math.abs(change.pct) < pct) return false;
  if (m.returns === 'log' && moveSteps(m, change.fromPrice) < MIN_MOVE_TICKS) return false;
  // In the spread of the market the move began in (or of a little before this bar), so that a
  // crash's own bars do not hide it or, once reported, how far it went.
  return !(r.minMoveSigma > 0 && moveSigmas(m, change.fromPrice, change.windowMs, d === 'up' ? m.upSigma : m.downSigma, d === 'up' ? m.upSigmaH : m.downSigmaH) < r.minMoveSigma);
}

/** Measures a window's move for a rule; the engine supplies it (it owns the rings and the gap clip). */
export type MoveProbe = (windowMs: number) => WindowMove;

export interface RuleContext {
  /** Current time (clock), to age backfilled findings. */
  now: number;
  lateAlertMaxAgeMs: number;
  fireScore: number;
}

/** Deterministic, URL- and job-id-safe alert id: same stream, bar and direction, same id. */
export function alertId(venue: string, symbol: string, barTs: number, d: Direction): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
  const raw = `${venue}|${symbol}|${barTs}|${d}`;
  return `${clean(venue)}-${clean(symbol)}-${barTs}-${d}-${fnv1a(raw).toString(16).padStart(8, '0')}`;
}

function changeFor(m: WindowMove, d: Direction, barEnd: number): PriceChange {
  return d === 'up'
    ? { pct: m.up * 100, windowMs: barEnd - m.upFromTs, fromPrice: m.upFrom, fromTs: m.upFromTs }
    : { pct: m.down * 100, windowMs: barEnd - m.downFromTs, fromPrice: m.downFrom, fromTs: m.downFromTs };
}

/**
 * Applies every rule to one evaluated bar. Returns at most one AlertEvent per direction (listing
 * every rule it satisfied), normally none.
 */
export function applyRules(ev: Evaluation, rules: readonly AlertRule[], state: AlertState, probe: MoveProbe, ctx: RuleContext): AlertEvent[] {
  if (ev.warmingUp || ev.afterGap || ev.origin === 'restore' || rules.length === 0) return [];
  if (ev.origin === 'backfill' && ctx.now - ev.ts > ctx.lateAlertMaxAgeMs) return [];
  const out: AlertEvent[] = [];
  const moves = new Map<number, WindowMove>();
  /** A window's move, measured once per bar (copied: the probe may reuse its object). */
  const measure = (windowMs: number): WindowMove => {
    let m = moves.get(windowMs);
    if (!m) {
      m = { ...probe(windowMs) };
      moves.set(windowMs, m);
    }
    return m;
  };
  const hits: Record<Direction, { rules: string[]; change: PriceChange | null }> = { up: { rules: [], change: null }, down: { rules: [], change: null } };
  for (const r of rules) {
    if (ev.score < r.minScore) continue;
    const m = measure(r.moveWindowMs);
    // The anomaly's own sign picks the direction; with no sign, the larger move.
    const d: Direction = ev.sign > 0 ? 'up' : ev.sign < 0 ? 'down' : m.up >= -m.down ? 'up' : 'down';
    if (r.direction !== 'both' && r.direction !== d) continue;
    let change = changeFor(m, d, ev.ts);
    if (!moveQualifies(r, m, d, change)) {
      // The second look (SHORT_LOOK_MS).
      if (SHORT_LOOK_MS >= r.moveWindowMs || SHORT_LOOK_MS < SHORT_LOOK_MIN_BARS * m.barMs) continue;
      const s = measure(SHORT_LOOK_MS);
      change = changeFor(s, d, ev.ts);
      if (!moveQualifies(r, s, d, change, SHORT_LOOK_PCT * r.movePct)) continue;
    }
    if (r.minQuoteVolume > 0 && m.quoteVolume < r.minQuoteVolume) continue;
    if (!reverses(r, state.get(r.id, d === 'up' ? 'down' : 'up'), ev.ts, change)) continue;
    const last = state.get(r.id, d);
    if (last && !rearmed(r, d, last, ev.ts, ev.price)) continue;
    state.set(r.id, d, { lastTs: ev.ts, lastPrice: ev.price, lastPct: change.pct });
    const h = hits[d];
    h.rules.push(r.id);
    if (!h.change || Math.abs(change.pct) > Math.abs(h.change.pct)) h.change = change;
  }
  for (const d of ['up', 'down'] as const) {
    const h = hits[d];
    if (!h.change) continue;
    // Copies: the evaluation's detector scores are overwritten by the next bar.
    const ranked = ev.detectors.map((x) => ({ ...x })).sort((a, b) => b.score - a.score);
    const fired = ranked.filter((x) => x.score >= ctx.fireScore);
    const named: DetectorScore[] = fired.length ? fired : ranked.slice(0, 2);
    out.push({
      id: alertId(ev.venue, ev.symbol, ev.barTs, d),
      venue: ev.venue,
      symbol: ev.symbol,
      ts: ev.ts,
      barTs: ev.barTs,
      price: ev.price,
      direction: d,
      change: h.change,
      score: ev.score,
      detectors: named,
      explanation: explain(ev, h.change, named, fastLeg(h.change, d, probe, ev.ts)),
      rules: h.rules,
      quoteVolume: ev.quoteVolume,
      late: ev.origin === 'backfill',
    });
  }
  return out;
}

/** The move's last FAST_LEG_MS, when they hold most of it and the move began well before them. */
function fastLeg(c: PriceChange, d: Direction, probe: MoveProbe, barEnd: number): PriceChange | null {
  if (c.windowMs < FAST_LEG_BEFORE * FAST_LEG_MS) return null;
  const leg = changeFor(probe(FAST_LEG_MS), d, barEnd);
  // Bars longer than the leg (series of minutes or hours) have no fast leg to tell of.
  return Number.isFinite(leg.pct) && leg.windowMs <= FAST_LEG_MS && Math.abs(leg.pct) >= FAST_LEG_SHARE * Math.abs(c.pct) ? leg : null;
}

function explain(ev: Evaluation, c: PriceChange, fired: DetectorScore[], leg: PriceChange | null): string {
  const lead = fired.find((d) => d.explanation) ?? null;
  const base = `${ev.symbol} on ${ev.venue} moved ${formatChange(c)}${leg ? ` (${formatPct(leg.pct)} in the last ${formatDuration(leg.windowMs)})` : ''}`;
  return lead
    ? `${base}; ${lead.name}: ${lead.explanation}`
    : `${base}; rarer than ${formatScore(ev.score)} of this stream's history`;
}
