import { describe, expect, it } from 'vitest';
import { presetRule } from '../core/rules.js';
import type { AlertEvent, Direction, Evaluation } from '../core/types.js';
import { emptyMove, type WindowMove } from '../windows/move.js';
import { AlertState, REVERSAL_FRACTION, SHORT_LOOK_MS, SHORT_LOOK_PCT, SymbolMoves, applyRules } from './alert-rules.js';

const T0 = Date.UTC(2025, 7, 11, 12, 0, 0);
const normal = presetRule('normal'); // cooldown 15 min, move 1%
const high = presetRule('high'); // cooldown 10 min, move 0.5%

function alert(venue: string, ts: number, price: number, pct: number, rules = [normal.id], direction: Direction = pct >= 0 ? 'up' : 'down', symbol = 'BTC/USDT'): AlertEvent {
  return {
    id: `${venue}-${ts}-${direction}`,
    venue,
    symbol,
    ts,
    barTs: ts - 1_000,
    price,
    direction,
    change: { pct, windowMs: 60_000, fromPrice: price / (1 + pct / 100), fromTs: ts - 60_000 },
    score: 0.999,
    detectors: [],
    explanation: '',
    rules,
    quoteVolume: 0,
    late: false,
  };
}

describe('SymbolMoves: one move of a symbol reported once across its venues', () => {
  it('GIVEN venue a alerted on a +3% move THEN venue b alerting 20 s later at about the same price is an echo of it, naming the first alert', () => {
    const m = new SymbolMoves();
    const a = alert('a', T0, 103, 3);
    m.mark([a], [normal]);
    expect(a.echo).toBeUndefined();
    const b = alert('b', T0 + 20_000, 103.1, 3.1);
    m.mark([b], [normal]);
    expect(b.echo).toEqual({ of: a.id, venue: 'a', ts: T0, rules: [normal.id] });
  });

  it('GIVEN the move went on past the re-arm distance THEN the other venue reports it (a fresh alert, not an echo)', () => {
    const m = new SymbolMoves();
    m.mark([alert('a', T0, 103, 3)], [normal]);
    // Re-arm needs the last alert's own move again: 103 * 1.03 = 106.09.
    const b = alert('b', T0 + 60_000, 106.2, 6.2);
    m.mark([b], [normal]);
    expect(b.echo).toBeUndefined();
    // ...and that one is now the move's record: a third venue at the same level echoes b.
    const c = alert('c', T0 + 70_000, 106.3, 6.3);
    m.mark([c], [normal]);
    expect(c.echo?.of).toBe(b.id);
  });

  it('the other direction, another symbol, the same venue and a time past the cooldown are all fresh', () => {
    const m = new SymbolMoves();
    m.mark([alert('a', T0, 103, 3)], [normal]);
    const down = alert('b', T0 + 10_000, 99, -1.5);
    const other = alert('b', T0 + 10_000, 103, 3, [normal.id], 'up', 'ETH/USDT');
    const same = alert('a', T0 + 20_000, 103.2, 3.2);
    const later = alert('b', T0 + 20_000 + normal.cooldownMs, 103, 3);
    for (const x of [down, other, same, later]) m.mark([x], [normal]);
    expect([down, other, same, later].map((x) => x.echo)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('rules are judged one by one: an alert can repeat the first for one rule and be news for another', () => {
    const m = new SymbolMoves();
    const a = alert('a', T0, 101, 1);
    m.mark([a], [normal]);
    const b = alert('b', T0 + 5_000, 101.1, 1.1, [high.id, normal.id]);
    m.mark([b], [normal, high]);
    expect(b.echo).toEqual({ of: a.id, venue: 'a', ts: T0, rules: [normal.id] });
  });

  it('GIVEN the first venue alerted before the others moved THEN a later alert that finds the move market-wide is news; the next one is its echo', () => {
    const m = new SymbolMoves();
    const wide = { kind: 'market-wide' as const, confirming: ['a', 'b', 'c'], fresh: ['a', 'b', 'c', 'd'] };
    const first = { ...alert('a', T0, 101.3, 1.3), consensus: { kind: 'venue-specific' as const, confirming: ['a'], fresh: ['a', 'b', 'c', 'd'] } };
    m.mark([first], [normal]);
    const spread = { ...alert('b', T0 + 4_000, 101.4, 1.4), consensus: wide };
    m.mark([spread], [normal]);
    expect(spread.echo).toBeUndefined();
    const third = { ...alert('c', T0 + 5_000, 101.4, 1.4), consensus: wide };
    m.mark([third], [normal]);
    expect(third.echo?.of).toBe(spread.id);
  });

  it('GIVEN venue c broke away up THEN its own venue-specific way back, and a small step further, are part of the breakaway; a big step further, or a market-wide move, is news', () => {
    const m = new SymbolMoves();
    const alone = { kind: 'venue-specific' as const, confirming: ['c'], fresh: ['a', 'b', 'c'] };
    const wide = { kind: 'market-wide' as const, confirming: ['a', 'b', 'c'], fresh: ['a', 'b', 'c'] };
    const brk = { ...alert('c', T0, 102.2, 2.2), id: 'divergence-c' };
    m.noteBreakaway(brk, 15 * 60_000);
    const back = { ...alert('c', T0 + 60_000, 100.1, -2), consensus: alone };
    const step = { ...alert('c', T0 + 5_000, 103, 3), consensus: alone };
    const leap = { ...alert('c', T0 + 8_000, 106.2, 6.2), consensus: alone };
    const market = { ...alert('c', T0 + 90_000, 98, -2.1), consensus: wide };
    for (const x of [step, leap, back, market]) m.mark([x], [normal]);
    expect(back.echo).toEqual({ of: 'divergence-c', venue: 'c', ts: T0, rules: [normal.id], breakaway: true });
    expect(step.echo?.of).toBe('divergence-c');
    expect(leap.echo).toBeUndefined();
    expect(market.echo).toBeUndefined();
    // Past the window the venue's moves are its own again; another venue is never part of c's breakaway.
    const later = { ...alert('c', T0 + 15 * 60_000, 100, -2.2), consensus: alone };
    m.mark([later], [normal]);
    expect(later.echo).toBeUndefined();
    const m2 = new SymbolMoves();
    m2.noteBreakaway(brk, 15 * 60_000);
    const other = { ...alert('b', T0 + 10_000, 99, -1.5), consensus: { ...alone, confirming: ['b'] } };
    m2.mark([other], [normal]);
    expect(other.echo).toBeUndefined();
  });

  it('records past their cooldown are dropped', () => {
    const m = new SymbolMoves();
    m.mark([alert('a', T0, 103, 3)], [normal]);
    expect(m.size).toBe(1);
    m.mark([alert('a', T0 + normal.cooldownMs + 1, 99, -2)], [normal]);
    expect(m.size).toBe(1); // only the new down move remains
    const zero = presetRule('normal', { cooldownMs: 0 });
    const m2 = new SymbolMoves();
    m2.mark([alert('a', T0, 103, 3, [zero.id])], [zero]);
    expect(m2.size).toBe(0);
  });
});

describe('applyRules: the second look over the last minute', () => {
  const ev = (barMs = 1_000): Evaluation => ({ venue: 'v', symbol: 'ALT/USDT', barTs: T0 - barMs, ts: T0, price: 1.07, score: 0.9999, surprise: 4, sign: 1, detectors: [], quoteVolume: 0, origin: 'live', afterGap: false, warmingUp: false });
  /** A rise to 1.07 from `from`, `agoMs` back, in a market whose 30-s spread is 0.8% (half of its variance bounce) and per-bar spread 0.3%. */
  const rise = (from: number, agoMs: number, barMs = 1_000): WindowMove => ({
    ...emptyMove(),
    close: 1.07,
    up: 1.07 / from - 1,
    upFrom: from,
    upFromTs: T0 - agoMs,
    sigma: 0.003,
    upSigma: 0.003,
    downSigma: 0.003,
    sigmaH: 0.008,
    upSigmaH: 0.008,
    downSigmaH: 0.008,
    bounce: 0.008 * Math.SQRT1_2,
    barMs,
    priceStep: 0.001,
  });
  const ctx = { now: T0, lateAlertMaxAgeMs: 60_000, fireScore: 0.99 };

  it('GIVEN a +7% rise over 40 s after minutes near the same low, which measured from the 5-minute window reads under the sigma gate THEN it alerts with the minute\'s move', () => {
    // Over the rule's window the low is 270 s back: +7% in 270 s, 3.8 sigmas (under normal's 4.5);
    // over the last minute the same low is 40 s back: +7% in 40 s, 7.9 sigmas.
    const diluted = () => rise(1.0, 270_000);
    expect(applyRules(ev(), [normal], new AlertState(), diluted, ctx)).toEqual([]);
    const out = applyRules(ev(), [normal], new AlertState(), (w) => (w === SHORT_LOOK_MS ? rise(1.0, 40_000) : diluted()), ctx);
    expect(out).toHaveLength(1);
    expect(out[0].change.windowMs).toBe(40_000);
    expect(out[0].change.pct).toBeCloseTo(7, 6);
  });

  it('GIVEN the minute\'s move is under SHORT_LOOK_PCT times movePct, or the minute spans fewer than 10 bars THEN no second look passes', () => {
    const small = 1.07 / (1 + (SHORT_LOOK_PCT * normal.movePct - 0.1) / 100);
    const diluted = () => ({ ...rise(1.0, 270_000) });
    const out = applyRules(ev(), [normal], new AlertState(), (w) => (w === SHORT_LOOK_MS ? rise(small, 20_000) : diluted()), ctx);
    expect(out).toEqual([]);
    const bars10s = applyRules(ev(10_000), [normal], new AlertState(), (w) => (w === SHORT_LOOK_MS ? rise(1.0, 40_000, 10_000) : { ...diluted(), barMs: 10_000 }), ctx);
    expect(bars10s).toEqual([]);
  });
});

describe('applyRules: a move against the last alert', () => {
  const ctx = { now: T0, lateAlertMaxAgeMs: 60_000, fireScore: 0.99 };
  const ev = (ts: number, price: number, sign: -1 | 1): Evaluation => ({ venue: 'v', symbol: 'ALT/USDT', barTs: ts - 1_000, ts, price, score: 0.9999, surprise: 4, sign, detectors: [], quoteVolume: 0, origin: 'live', afterGap: false, warmingUp: false });
  /** A move to `close` from `from`, 20 s back, far beyond every gate. */
  const move = (from: number, close: number): WindowMove => {
    const m = { ...emptyMove(), close, sigma: 1e-4, upSigma: 1e-4, downSigma: 1e-4, sigmaH: 1e-3, upSigmaH: 1e-3, downSigmaH: 1e-3, priceStep: 1e-4 };
    return close >= from ? { ...m, up: close / from - 1, upFrom: from, upFromTs: T0 - 20_000 } : { ...m, down: close / from - 1, downFrom: from, downFromTs: T0 - 20_000 };
  };

  it('GIVEN a reported -8% crash THEN a rebound alerts within the cooldown only once it is REVERSAL_FRACTION of the crash, and any rebound after the cooldown', () => {
    const state = new AlertState();
    expect(applyRules(ev(T0, 92, -1), [normal], state, () => move(100, 92), ctx)).toHaveLength(1);
    // +3% off the low: under half of the 8% reported.
    const t1 = T0 + 60_000;
    expect(applyRules(ev(t1, 94.76, 1), [normal], state, () => move(92, 94.76), { ...ctx, now: t1 })).toEqual([]);
    // +4.5% off the low: past half.
    const t2 = T0 + 120_000;
    const up = applyRules(ev(t2, 92 * 1.045, 1), [normal], state, () => move(92, 92 * 1.045), { ...ctx, now: t2 });
    expect(up).toHaveLength(1);
    expect(Math.abs(up[0].change.pct)).toBeGreaterThanOrEqual(REVERSAL_FRACTION * 8);
    // After the cooldown a +3% move the other way is news again.
    const fresh = new AlertState();
    applyRules(ev(T0, 92, -1), [normal], fresh, () => move(100, 92), ctx);
    const t3 = T0 + normal.cooldownMs;
    expect(applyRules(ev(t3, 94.76, 1), [normal], fresh, () => move(92, 94.76), { ...ctx, now: t3 })).toHaveLength(1);
  });
});
