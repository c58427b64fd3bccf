import { describe, expect, it } from 'vitest';
import type { Tick } from '../engine/core/types.js';
import { TAIL_MAX_TICKS, TickTail } from './roles.js';

const tick = (ts: number): Tick => ({ venue: 'v', symbol: 'S/T', ts, price: 1, qty: 1, side: 'buy', id: String(ts) });

describe('TickTail: the recent ticks of a stream an engine does not own', () => {
  it('GIVEN ticks over a longer time than its span THEN it keeps the newest span, oldest first', () => {
    const t = new TickTail(10_000);
    for (let ts = 0; ts <= 60_000; ts += 100) t.push(tick(ts));
    const kept = t.since(-Infinity).map((x) => x.ts);
    expect(kept[0]).toBe(50_000);
    expect(kept.at(-1)).toBe(60_000);
    expect(t.since(59_850).map((x) => x.ts)).toEqual([59_900, 60_000]);
  });

  it('GIVEN a burst of more ticks than it holds THEN it keeps the newest TAIL_MAX_TICKS', () => {
    const t = new TickTail(60_000);
    for (let i = 0; i < TAIL_MAX_TICKS + 5_000; i++) t.push(tick(i));
    expect(t.size).toBe(TAIL_MAX_TICKS);
    expect(t.since(-Infinity)[0]?.ts).toBe(5_000);
  });
});
