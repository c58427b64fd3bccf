import { beforeAll, describe, expect, it } from 'vitest';
import type { Proximity } from '../../commands/framework.js';
import { EngineProximity } from '../bot/shared/sources.js';
import { SENSITIVITY_PRESETS, STATISTICAL_DETECTORS, type Bar, type Tick } from '../engine/index.js';
import { streamId } from '../engine/core/types.js';
import type { Thresholds } from '../engine/ports/store.js';
import { encodeWindows } from '../engine/snapshot.js';
import { replay, type Run } from '../engine/testing/harness.js';
import { injectMove, randomWalk } from '../engine/testing/synthetic.js';
import { MemoryStore } from '../store/memory.js';
import type { BoardLine } from './market-board.js';
import { SnapshotBarSource } from './snapshot-bars.js';
import { SnapshotProximity, gapStart } from './snapshot-proximity.js';

const START = Date.UTC(2025, 7, 11, 12);
const MIN = 60_000;
const SYMBOL = 'BTC/USDT';
/** kraken goes silent for 3 minutes and comes back 3% lower: the engine never measures across that gap. */
const GAP_FROM = START + 33 * MIN;
const GAP_TO = START + 36 * MIN;

describe('SnapshotProximity', () => {
  let run: Run;
  let store: MemoryStore;
  let newestEnd: number;
  let board: BoardLine[];

  beforeAll(async () => {
    const calm = (venue: string, seed: number): Tick[] => randomWalk({ seconds: 40 * 60, seed, start: START, venue, price: 60_000 });
    const binance = injectMove(calm('binance', 7), START + 30 * MIN, 6.4, 2 * MIN);
    const kraken = injectMove(
      calm('kraken', 8).filter((t) => t.ts < GAP_FROM || t.ts >= GAP_TO),
      GAP_TO,
      -3,
      1,
      0,
    );
    run = replay([...binance, ...kraken].sort((a, b) => a.ts - b.ts), undefined, { detectors: STATISTICAL_DETECTORS });
    // Saved as the engine saves them (EngineSnapshots.collect, and the engine role at every alert).
    store = new MemoryStore();
    board = [];
    newestEnd = -Infinity;
    for (const s of run.engine.streams()) {
      const at = s.short.lastTs + run.engine.options.shortBarMs;
      await store.saveSnapshots([{ stream: streamId(s), data: encodeWindows(s.bars('short'), s.long.range(), run.engine.options.shortBarMs, at) }]);
      newestEnd = Math.max(newestEnd, at);
      board.push({ venue: s.venue, symbol: s.symbol, status: 'live', since: START, owner: 'e1', at, score: s.evaluation.warmingUp ? undefined : s.evaluation.score });
    }
  });

  const source = (now: number) =>
    new SnapshotProximity(new SnapshotBarSource(store, run.engine.options), run.engine.options, { lines: async () => board }, { staleAfterMs: 45_000, now: () => now });

  const rules: Thresholds[] = [
    { ...SENSITIVITY_PRESETS.normal, moveWindowMs: 5 * MIN },
    { ...SENSITIVITY_PRESETS.normal, moveWindowMs: 15 * MIN, direction: 'up' },
    { ...SENSITIVITY_PRESETS.normal, moveWindowMs: 15 * MIN, direction: 'down' },
    // Longer than the short ring holds: the long bars count too.
    { ...SENSITIVITY_PRESETS.normal, movePct: 20, moveWindowMs: 60 * MIN },
    { ...SENSITIVITY_PRESETS.normal, movePct: 0, moveWindowMs: 2 * MIN },
  ];

  it('GIVEN the windows an engine saved THEN every rule gets the Proximity the engine itself gives, per venue and across venues', async () => {
    const live = new EngineProximity(run.engine);
    const saved = source(newestEnd + 1_000);
    for (const t of rules) {
      for (const venue of ['binance', 'kraken', undefined]) {
        const want = live.proximity(SYMBOL, venue, t);
        expect(want).not.toBeNull();
        expect(await saved.proximity(SYMBOL, venue, t), `${venue ?? 'any venue'}, ${JSON.stringify(t)}`).toEqual(want);
      }
    }
    expect(await saved.proximity('ETH/USDT', undefined, rules[0] as Thresholds)).toBeNull();
  });

  it('GIVEN a gap in the saved bars THEN the move starts after it, as on the engine', async () => {
    const kraken = run.engine.find('kraken', SYMBOL)!;
    expect(gapStart(kraken.bars('short'), 1_000, run.engine.options.gapMs)).toBe(kraken.gapTs);
    expect(kraken.gapTs).toBeGreaterThanOrEqual(GAP_TO);
    const down = (await source(newestEnd).proximity(SYMBOL, 'kraken', rules[2] as Thresholds)) as Proximity;
    // The 3% drop happened across the gap: it is not a move.
    expect(down.movePct).toBeGreaterThan(-2);
  });

  it('GIVEN saved windows older than the bound THEN the answer says as of when; a fresh venue wins over a stale one', async () => {
    const t = rules[0] as Thresholds;
    const late = newestEnd + 10 * MIN;
    const stale = await source(late).proximity(SYMBOL, 'binance', t);
    const binanceEnd = run.engine.find('binance', SYMBOL)!.short.lastTs + 1_000;
    expect(stale).toEqual({ ...new EngineProximity(run.engine).proximity(SYMBOL, 'binance', t), asOf: binanceEnd });

    // binance saved again lately, kraken not: the fresh venue answers, whichever is nearer to firing.
    const krakenEnd = run.engine.find('kraken', SYMBOL)!.short.lastTs + 1_000;
    const near = (venue: string) => new EngineProximity(run.engine).proximity(SYMBOL, venue, t) as Proximity;
    const bars = { load: async () => {}, windows: () => [
      { venue: 'binance', windows: { short: shifted(run, 'binance', late - binanceEnd), long: [], savedAt: NaN } },
      { venue: 'kraken', windows: { short: run.engine.find('kraken', SYMBOL)!.bars('short'), long: [], savedAt: NaN } },
    ] };
    const mixed = await new SnapshotProximity(bars, run.engine.options, null, { staleAfterMs: 45_000, now: () => late }).proximity(SYMBOL, undefined, t);
    expect(mixed?.asOf).toBeUndefined();
    expect(mixed?.score).toBeUndefined();
    expect(mixed?.movePct).toBeCloseTo(near('binance').movePct, 9);
    expect(krakenEnd).toBeLessThan(late - 45_000);
  });
});

describe('SnapshotProximity of a pair that has not traded lately', () => {
  it('GIVEN its engine keeps saving it THEN the answer is current, as the live engine says; once the saves stop it is as of the last save', async () => {
    const ticks = randomWalk({ seconds: 20 * 60, seed: 3, start: START, venue: 'binance', price: 60_000 });
    const run = replay(ticks, undefined, { detectors: STATISTICAL_DETECTORS });
    const s = run.engine.find('binance', SYMBOL)!;
    const lastBarEnd = s.short.lastTs + run.engine.options.shortBarMs;
    // No trade for 10 minutes; the engine saved the unchanged windows a moment ago.
    const savedAt = lastBarEnd + 10 * MIN;
    const store = new MemoryStore();
    await store.saveSnapshots([{ stream: streamId(s), data: encodeWindows(s.bars('short'), s.long.range(), run.engine.options.shortBarMs, savedAt) }]);
    const t: Thresholds = { ...SENSITIVITY_PRESETS.normal, moveWindowMs: 5 * MIN };
    const at = (now: number) => new SnapshotProximity(new SnapshotBarSource(store, run.engine.options), run.engine.options, null, { staleAfterMs: 45_000, now: () => now }).proximity(SYMBOL, 'binance', t);
    // The latest score comes from the market board, which this test leaves out.
    const live = { ...new EngineProximity(run.engine).proximity(SYMBOL, 'binance', t), score: undefined };
    expect(await at(savedAt + 5_000)).toEqual(live);
    expect(await at(savedAt + 5 * MIN)).toEqual({ ...live, asOf: savedAt });
  });
});

/** A venue's short bars moved later in time by `by` ms (a snapshot saved just now). */
function shifted(run: Run, venue: string, by: number): Bar[] {
  return run.engine.find(venue, SYMBOL)!.bars('short').map((b) => ({ ...b, ts: b.ts + by }));
}
