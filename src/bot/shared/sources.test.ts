import { beforeAll, describe, expect, it } from 'vitest';
import { SENSITIVITY_PRESETS, presetRule, type Bar, type BarSource, type ChartPort } from '../../engine/index.js';
import { injectMove, randomWalk } from '../../engine/testing/synthetic.js';
import { replay, type Run } from '../../engine/testing/harness.js';
import { testResolver } from '../../../commands/testing.js';
import { CompositeBook } from '../../engine/composite/index.js';
import { CompositePrices, EngineProximity, KnownSymbols, RenderedCharts, ReplayPreview } from './sources.js';

const START = Date.UTC(2025, 7, 11, 12);
const SPIKE_AT = START + 20 * 60_000;

describe('engine-backed command services', () => {
  let run: Run;
  let shortBars: Bar[];
  beforeAll(() => {
    const calm = (venue: string, seed: number) => randomWalk({ seconds: 25 * 60, seed, start: START, venue, price: 60_000 });
    const ticks = [...injectMove(calm('binance', 7), SPIKE_AT, 6.4, 120_000), ...calm('kraken', 8)].sort((a, b) => a.ts - b.ts);
    run = replay(ticks, [presetRule('normal')]);
    shortBars = run.engine.find('binance', 'BTC/USDT')!.bars('short');
  });

  it('CompositePrices: every venue with its last close and status; the composite leaves the stale venue out', async () => {
    const statuses = { status: (venue: string) => (venue === 'kraken' ? ('stale' as const) : ('live' as const)) };
    const book = new CompositeBook({}, statuses);
    book.update('binance', 'BTC/USDT', START, 64_000);
    book.update('okx', 'BTC/USDT', START, 64_010);
    book.update('kraken', 'BTC/USDT', START, 60_000);
    const q = await new CompositePrices(book, statuses).price('BTC/USDT');
    expect(q?.venues.map((v) => [v.venue, v.price, v.status])).toEqual([['binance', 64_000, 'live'], ['kraken', 60_000, 'stale'], ['okx', 64_010, 'live']]);
    expect(q?.composite).toBe(64_005);
    expect((await new CompositePrices(book).price('BTC/USDT', 'okx'))?.venues).toHaveLength(1);
    expect(await new CompositePrices(book).price('ETH/USDT')).toBeNull();
  });

  it('EngineProximity: the pumped venue is past its move threshold; a far threshold is only partly reached', () => {
    const p = new EngineProximity(run.engine);
    const near = p.proximity('BTC/USDT', 'binance', { ...SENSITIVITY_PRESETS.normal, moveWindowMs: 15 * 60_000, minScore: 0.5 });
    expect(near?.movePct).toBeGreaterThan(5);
    expect(near?.ratio).toBe(1);
    const far = p.proximity('BTC/USDT', 'binance', { ...SENSITIVITY_PRESETS.normal, movePct: 100, moveWindowMs: 15 * 60_000, minScore: 0.5 });
    expect(far?.ratio).toBeGreaterThan(0.05);
    expect(far?.ratio).toBeLessThan(0.1);
  });

  it('ReplayPreview: the stored bars replayed with the candidate rule fire on the spike, and a 20% threshold stays quiet', async () => {
    const bars: BarSource = { seriesAround: () => [], seriesFor: () => [{ venue: 'binance', bars: shortBars, barMs: 1_000 }] };
    const charts: string[] = [];
    const renderer: ChartPort = { renderAlert: async () => new Uint8Array(), renderRange: async (r) => (charts.push(`${r.range}:${r.alerts.length}`), new Uint8Array([1])) };
    const preview = new ReplayPreview(bars, { renderer });
    const fired = await preview.preview('BTC/USDT', SENSITIVITY_PRESETS.normal, 24 * 3_600_000);
    expect(fired?.alerts.length).toBeGreaterThanOrEqual(1);
    expect(fired?.alerts.every((a) => a.ts >= SPIKE_AT)).toBe(true);
    expect(fired?.spanMs).toBe(shortBars.at(-1)!.ts + 1_000 - shortBars[0]!.ts);
    expect(charts).toEqual([`24h:${fired?.alerts.length}`]);
    const quiet = await preview.preview('BTC/USDT', { ...SENSITIVITY_PRESETS.normal, movePct: 20 }, 24 * 3_600_000);
    expect(quiet?.alerts).toEqual([]);
    expect(await new ReplayPreview({ seriesAround: () => [], seriesFor: () => [] }).preview('BTC/USDT', SENSITIVITY_PRESETS.normal, 1)).toBeNull();
  });

  it('ReplayPreview: GIVEN the same spike on two venues THEN it counts once, as a watch of the pair on every venue would have been told', async () => {
    const one = { venue: 'binance', bars: shortBars, barMs: 1_000 };
    const twin = { venue: 'okx', bars: shortBars.map((b) => ({ ...b, ts: b.ts + 2_000 })), barMs: 1_000 };
    const single = await new ReplayPreview({ seriesAround: () => [], seriesFor: () => [one] }).preview('BTC/USDT', SENSITIVITY_PRESETS.normal, 24 * 3_600_000);
    const both = await new ReplayPreview({ seriesAround: () => [], seriesFor: () => [one, twin] }).preview('BTC/USDT', SENSITIVITY_PRESETS.normal, 24 * 3_600_000);
    expect(single!.alerts.length).toBeGreaterThanOrEqual(1);
    expect(both!.alerts.map((a) => a.id)).toEqual(single!.alerts.map((a) => a.id));
  });

  it('RenderedCharts: no bars gives null; bars give the renderer the range and the alerts inside it', async () => {
    const seen: string[] = [];
    const renderer: ChartPort = { renderAlert: async () => new Uint8Array(), renderRange: async (r) => (seen.push(`${r.symbol} ${r.range} ${r.alerts.length}`), new Uint8Array([1])) };
    const history = { history: async () => [run.alerts[0]!, { ...run.alerts[0]!, ts: START - 3_600_000 }] };
    const charts = new RenderedCharts({ seriesAround: () => [], seriesFor: (s) => (s === 'BTC/USDT' ? [{ venue: 'binance', bars: shortBars, barMs: 1_000 }] : []) }, renderer, history, () => START + 25 * 60_000);
    expect(await charts.rangeChart('ETH/USDT', '1h')).toBeNull();
    expect(await charts.rangeChart('BTC/USDT', '1h')).toEqual(new Uint8Array([1]));
    expect(seen).toEqual(['BTC/USDT 1h 1']);
  });

  it('KnownSymbols: prefix matches first, then matches inside, ignoring separators', () => {
    const s = new KnownSymbols(testResolver, () => ['BTC/USDT', 'ETH/BTC', 'BTC/EUR', 'SOL/USDT']);
    expect(s.search('btc', 10)).toEqual(['BTC/EUR', 'BTC/USDT', 'ETH/BTC']);
    expect(s.search('btcu', 10)).toEqual(['BTC/USDT']);
    expect(s.search('', 2)).toEqual(['BTC/EUR', 'BTC/USDT']);
  });
});
