import { describe, expect, it } from 'vitest';
import { EngineSnapshots, decodeWindows, encodeWindows } from './snapshot.js';
import { testEngine } from './testing/harness.js';
import { injectMove, randomWalk } from './testing/synthetic.js';
import { presetRule } from './core/rules.js';

const START = Date.UTC(2025, 0, 1);

describe('window snapshots', () => {
  it('round-trips bars exactly (prices to the cent)', () => {
    const bars = [{ ts: 1000, open: 123456.78, high: 123460.01, low: 123450, close: 123455.55, volume: 1.5, quoteVolume: 185183.3, buyVolume: 1, sellVolume: 0.5, trades: 7 }];
    const d = decodeWindows(encodeWindows(bars, [], 1000, 5_000))!;
    expect(d.short[0]).toMatchObject({ ts: 1000, open: 123456.78, high: 123460.01, close: 123455.55, trades: 7 });
    expect(d.short[0].volume).toBeCloseTo(1.5);
    expect(d.savedAt).toBe(5_000);
    expect(decodeWindows(new Uint8Array(3))).toBeNull();
    const bad = encodeWindows(bars, [], 1000, 5_000);
    bad[0] = 99;
    expect(decodeWindows(bad)).toBeNull();
  });

  it('reads a version 1 snapshot (no time taken) as before', () => {
    const bars = [{ ts: 1000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, quoteVolume: 4, buyVolume: 2, sellVolume: 1, trades: 2 }];
    const v2 = encodeWindows(bars, bars, 1000, 5_000);
    // Version 1: the same without the 8 bytes of the time taken.
    const v1 = new Uint8Array(v2.byteLength - 8);
    v1.set(v2.subarray(0, 16));
    v1.set(v2.subarray(24), 16);
    v1[0] = 1;
    const d = decodeWindows(v1)!;
    expect(d.short).toEqual(decodeWindows(v2)!.short);
    expect(d.long).toEqual(decodeWindows(v2)!.long);
    expect(d.savedAt).toBeNaN();
  });

  it('GIVEN a restart THEN the windows are back, the stream is warm, and the restart itself raises no alert', () => {
    const before = testEngine([presetRule('high')]);
    const ticks = randomWalk({ seconds: 2 * 3600, seed: 2, start: START });
    for (const t of ticks) before.engine.ingest(t);
    before.engine.flush();
    const snaps = new EngineSnapshots(before.engine).collect();
    expect(snaps).toHaveLength(1);

    const after = testEngine([presetRule('high')]);
    after.now.t = START + 2 * 3600_000 + 10 * 60_000;
    expect(new EngineSnapshots(after.engine).restore(snaps[0].stream, snaps[0].data)).toBe(true);
    const s = after.engine.find('test', 'BTC/USDT')!;
    expect(s.bars('short')).toEqual(before.engine.find('test', 'BTC/USDT')!.bars('short'));
    expect(s.long.length).toBeGreaterThan(100);
    expect(s.barsSeen).toBeGreaterThan(after.engine.options.warmupBars);
    // Ten minutes later the price resumes 3% away (the market moved while we were down): no alert.
    const resumed = randomWalk({ seconds: 1800, seed: 3, start: START + 2 * 3600_000 + 10 * 60_000, price: ticks.at(-1)!.price * 1.03 });
    for (const t of resumed) {
      after.now.t = t.ts;
      after.engine.ingest(t);
    }
    expect(after.alerts).toEqual([]);
    // ...but a real pump after the restart still alerts.
    const pump = injectMove(randomWalk({ seconds: 600, seed: 4, start: START + 2 * 3600_000 + 40 * 60_000, price: resumed.at(-1)!.price }), START + 2 * 3600_000 + 45 * 60_000, 6, 60_000);
    for (const t of pump) {
      after.now.t = t.ts;
      after.engine.ingest(t);
    }
    expect(after.alerts.length).toBeGreaterThan(0);
  });

  it('GIVEN a pump in the last minute before the save, restored a minute later THEN the replayed bars raise no alert (the saving process judged them)', () => {
    const before = testEngine([presetRule('high')]);
    const pumpAt = START + 3600_000 - 60_000;
    const ticks = injectMove(randomWalk({ seconds: 3600, seed: 5, start: START }), pumpAt, 8, 20_000);
    for (const t of ticks) {
      before.now.t = t.ts;
      before.engine.ingest(t);
    }
    before.engine.flush();
    expect(before.alerts.length).toBeGreaterThan(0);
    const snaps = new EngineSnapshots(before.engine).collect();

    const after = testEngine([presetRule('high')]);
    after.now.t = START + 3600_000 + 60_000;
    expect(new EngineSnapshots(after.engine).restore(snaps[0].stream, snaps[0].data)).toBe(true);
    // Within lateAlertMaxAgeMs of now, as a gap's backfill would be; the restore still stays quiet.
    expect(after.now.t - pumpAt).toBeLessThan(after.engine.options.lateAlertMaxAgeMs);
    expect(after.alerts).toEqual([]);
  });
});
