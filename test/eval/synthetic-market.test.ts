import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupOf } from '../../eval/evaluate.js';
import { writeSyntheticSet } from '../../eval/synthetic.js';
import { MIN_DEFAULT_HOURS, Sfc32, defaultMarketSpecs, defaultVenueSpecs, generateMultiVenue, generateStream, tradesCsv, type MultiVenueSpec, type StreamSpec } from '../../src/engine/testing/synthetic-market.js';
import { readBarInput } from '../../eval/bars.js';

const HOUR_S = 3600;

function spec(over: Partial<StreamSpec> = {}): StreamSpec {
  return {
    name: 'test',
    seed: 7,
    start: Date.UTC(2025, 0, 1),
    seconds: 2 * HOUR_S,
    price: 1,
    rate: 1,
    vol: 3e-4,
    garchAlpha: 0.04,
    garchBeta: 0.95,
    jumpsPerHour: 1,
    jumpSize: 0.0015,
    tick: 0.0001,
    qty: 100,
    events: [],
    ...over,
  };
}

describe('synthetic market streams', () => {
  it('GIVEN the same seed THEN the trades and labels are identical; another seed gives another stream', () => {
    const s = spec({ events: [{ kind: 'pump', at: HOUR_S * 1000, risePct: 10, riseMs: 30_000, holdMs: 60_000, dumpMs: 120_000, intensity: 20 }] });
    const a = generateStream(s);
    const b = generateStream(s);
    expect(tradesCsv(b.trades)).toBe(tradesCsv(a.trades));
    expect(b.labels).toEqual(a.labels);
    expect(tradesCsv(generateStream({ ...s, seed: 8 }).trades)).not.toBe(tradesCsv(a.trades));
  });

  it('GIVEN the default set for a seed THEN its streams are the same on every run, each with its own seed', () => {
    const specs = defaultMarketSpecs(42, MIN_DEFAULT_HOURS).filter((x) => x.name.includes('thin'));
    const once = specs.map((x) => generateStream(x));
    const again = defaultMarketSpecs(42, MIN_DEFAULT_HOURS).filter((x) => x.name.includes('thin')).map((x) => generateStream(x));
    expect(again.map((x) => tradesCsv(x.trades))).toEqual(once.map((x) => tradesCsv(x.trades)));
    expect(again.map((x) => x.labels)).toEqual(once.map((x) => x.labels));
    expect(new Set(specs.map((x) => x.seed)).size).toBe(specs.length);
    expect(() => defaultMarketSpecs(42, 1)).toThrow(RangeError);
  });

  it('a pump is labelled from its first abnormal trade, rises by about its size on a burst of buys, and mostly dumps', () => {
    const at = HOUR_S * 1000;
    const s = spec({ events: [{ kind: 'pump', at, risePct: 20, riseMs: 30_000, holdMs: 60_000, dumpMs: 120_000, intensity: 30 }] });
    const { trades, labels } = generateStream(s);
    expect(labels).toHaveLength(1);
    const l = labels[0];
    expect(l.kind).toBe('pump');
    expect(l.start).toBe(trades.find((t) => t.ts >= s.start + at)!.ts);
    expect(l.end).toBe(s.start + at + 210_000);
    const before = trades.filter((t) => t.ts < l.start).at(-1)!.price;
    const rise = trades.filter((t) => t.ts >= l.start && t.ts < l.start + 30_000);
    const top = Math.max(...rise.map((t) => t.price));
    expect(top / before - 1).toBeGreaterThan(0.15);
    expect(top / before - 1).toBeLessThan(0.25);
    expect(rise.filter((t) => t.side === 'buy').length / rise.length).toBeGreaterThan(0.7);
    const calmRate = trades.filter((t) => t.ts < l.start).length / (l.start - s.start);
    expect(rise.length / 30_000).toBeGreaterThan(10 * calmRate);
    const after = trades.filter((t) => t.ts > l.end).at(0)!.price;
    expect(after / before - 1).toBeLessThan(0.1);
  });

  it('an outage has no trades, and a flat stretch prints one price', () => {
    const s = spec({ rate: 5, events: [{ kind: 'outage', at: 1000 * 1000, ms: 600_000 }, { kind: 'flat', at: 4000 * 1000, ms: 600_000 }] });
    const { trades } = generateStream(s);
    const t0 = s.start + 1000 * 1000;
    expect(trades.some((t) => t.ts >= t0 && t.ts < t0 + 600_000)).toBe(false);
    const f0 = s.start + 4000 * 1000;
    const flat = trades.filter((t) => t.ts >= f0 + 1000 && t.ts < f0 + 600_000);
    expect(flat.length).toBeGreaterThan(1000);
    expect(new Set(flat.map((t) => t.price)).size).toBe(1);
  });

  it('the random source is unbiased enough for day-long walks (half of a million draws below 0.5, within 5 sigma)', () => {
    const r = new Sfc32(42);
    let below = 0;
    const n = 1_000_000;
    for (let i = 0; i < n; i++) if (r.next() < 0.5) below++;
    expect(Math.abs(below - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
  });
});

describe('the synthetic labelled set over several seeds', () => {
  it('GIVEN --seeds 2 THEN each seed writes its own streams and windows into one set, grouped by stream kind as with one seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwatch-synth-'));
    try {
      const one = writeSyntheticSet(join(dir, 'one'), 5, MIN_DEFAULT_HOURS);
      const two = writeSyntheticSet(join(dir, 'two'), 5, MIN_DEFAULT_HOURS, 2);
      expect(two.files).toHaveLength(2 * one.files.length);
      for (const f of one.files) {
        const same = two.files.find((g) => g.key === f.key.replace(/\.csv$/, '.s5.csv'));
        expect(same?.windows).toEqual(f.windows);
        expect(readFileSync(same!.path, 'utf8')).toBe(readFileSync(f.path, 'utf8'));
        expect(two.files.some((g) => g.key === f.key.replace(/\.csv$/, '.s6.csv'))).toBe(true);
      }
      expect(new Set(two.files.map((f) => groupOf(f.key)))).toEqual(new Set(one.files.map((f) => groupOf(f.key))));
      expect(new Set(one.files.map((f) => groupOf(f.key)))).toEqual(new Set(['calm', 'pumps', 'crashes', 'breakaways']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('multi-venue synthetic streams', () => {
  const venues = (over: Partial<MultiVenueSpec> = {}): MultiVenueSpec => ({
    name: 'v',
    seed: 3,
    start: Date.UTC(2025, 0, 1),
    seconds: HOUR_S,
    price: 100,
    vol: 2e-4,
    garchAlpha: 0.04,
    garchBeta: 0.95,
    jumpsPerHour: 1,
    jumpSize: 0.001,
    venues: [
      { name: 'a', rate: 2, lagMs: 0, basisPct: 0, tick: 0.01, qty: 1, events: [] },
      { name: 'b', rate: 1, lagMs: 500, basisPct: 0.1, tick: 0.01, qty: 1, events: [{ kind: 'breakaway', at: 1_800_000, devPct: 5, rampMs: 10_000, holdMs: 60_000, backMs: 30_000, intensity: 5 }] },
      { name: 'c', rate: 0.5, lagMs: 1_000, basisPct: -0.1, tick: 0.01, qty: 1, events: [{ kind: 'outage', at: 600_000, ms: 300_000 }] },
    ],
    ...over,
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('GIVEN one venue breaking away THEN only that venue moves, by about the scripted amount, and only its window is labelled', () => {
    const s = generateMultiVenue(venues());
    expect(generateMultiVenue(venues()).trades).toEqual(s.trades);
    expect(s.trades.every((t, i) => i === 0 || t.ts >= s.trades[i - 1].ts)).toBe(true);
    const at = (v: string, from: number, to: number) => s.trades.filter((t) => t.venue === v && t.ts >= s.spec.start + from && t.ts < s.spec.start + to).map((t) => t.price);
    // During the hold, b trades ~5% above a; before it, at its 0.1% basis.
    const holdB = mean(at('b', 1_815_000, 1_865_000));
    const holdA = mean(at('a', 1_815_000, 1_865_000));
    expect(holdB / holdA).toBeGreaterThan(1.045);
    expect(holdB / holdA).toBeLessThan(1.055);
    const beforeRatio = mean(at('b', 1_500_000, 1_790_000)) / mean(at('a', 1_500_000, 1_790_000));
    expect(Math.abs(beforeRatio - 1.001)).toBeLessThan(0.002);
    expect(s.labels).toHaveLength(1);
    expect(s.labels[0].kind).toBe('breakaway');
    expect(s.labels[0].start).toBeGreaterThanOrEqual(s.spec.start + 1_800_000);
    expect(s.labels[0].end).toBe(s.spec.start + 1_800_000 + 100_000);
    // c is silent through its outage.
    expect(at('c', 600_000, 900_000)).toEqual([]);
    expect(at('c', 900_000, 1_200_000).length).toBeGreaterThan(50);
  });

  it('GIVEN a multi-venue CSV THEN the baselines read one bar stream per venue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwatch-venues-'));
    try {
      const s = generateMultiVenue(venues({ seconds: 600, venues: venues().venues.map((v) => ({ ...v, events: [] })) }));
      const path = join(dir, 'v.csv');
      writeFileSync(path, tradesCsv(s.trades));
      expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('timestamp,price,amount,side,venue');
      const input = await readBarInput(path);
      // In the order the file first names them.
      expect(input.streams.map((x) => x.venue)).toEqual([...new Set(s.trades.map((t) => t.venue))]);
      expect(input.streams).toHaveLength(3);
      const b = input.streams.find((x) => x.venue === 'b')!;
      const lastB = s.trades.filter((t) => t.venue === 'b').at(-1)!;
      expect(b.bars.at(-1)!.close).toBe(lastB.price);
      expect(input.rowStream).toHaveLength(s.trades.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the default multi-venue set: a calm major on four venues and an alt whose venues each break away in turn', () => {
    const [calm, away] = defaultVenueSpecs(1, MIN_DEFAULT_HOURS);
    expect(calm.venues.flatMap((v) => v.events).filter((e) => e.kind === 'breakaway')).toEqual([]);
    expect(away.venues.every((v) => v.events.some((e) => e.kind === 'breakaway'))).toBe(true);
  });
});
