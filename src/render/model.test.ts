import { describe, expect, it } from 'vitest';
import type { Bar } from '../engine/index.js';
import { buildModel, gapsOf, linePoints, MAX_VENUE_LINES, MIN_PRICE_SPAN_FRACTION, volumeBars } from './model.js';
import { sampleAlertRequest, walkBars } from './samples.js';
import { PALETTES } from './theme.js';

const MIN = 60_000;
const palette = PALETTES.dark;

function bars(closes: (number | null)[], barMs = MIN): Bar[] {
  const out: Bar[] = [];
  closes.forEach((c, i) => {
    if (c === null) return;
    out.push({ ts: i * barMs, open: c, high: c, low: c, close: c, volume: 1, quoteVolume: c, buyVolume: 0.5, sellVolume: 0.5, trades: 1 });
  });
  return out;
}

describe('linePoints', () => {
  it('puts each close at its bar close time', () => {
    expect(linePoints(bars([10, 11, 12]), MIN)).toEqual([
      { x: MIN, y: 10 },
      { x: 2 * MIN, y: 11 },
      { x: 3 * MIN, y: 12 },
    ]);
  });

  it('GIVEN a few missing bars THEN the line runs through; GIVEN more than GAP_BARS THEN a null breaks it', () => {
    const short = linePoints(bars([10, null, null, 13]), MIN);
    expect(short.every((p) => p.y !== null)).toBe(true);
    const long = linePoints(bars([10, null, null, null, null, 15]), MIN);
    expect(long.map((p) => p.y)).toEqual([10, null, 15]);
  });

  it('GIVEN more bars than points allowed THEN it keeps each bucket low and high, so a one-bar spike survives', () => {
    const closes = Array.from({ length: 3600 }, (_, i) => (i === 1234 ? 200 : 100 + (i % 7) * 0.1));
    const pts = linePoints(bars(closes, 1000), 1000, 400);
    expect(pts.length).toBeLessThanOrEqual(400);
    expect(Math.max(...pts.map((p) => p.y!))).toBe(200);
    expect(Math.min(...pts.map((p) => p.y!))).toBe(100);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.x).toBeGreaterThan(pts[i - 1]!.x);
  });
});

describe('gaps and volume', () => {
  it('reports each gap from the end of the last bar to the start of the next', () => {
    expect(gapsOf(bars([1, 1, null, null, null, null, 1]), MIN)).toEqual([{ from: 2 * MIN, to: 6 * MIN }]);
  });

  it('sums quote volume into equal buckets and flags the one holding the alert bar', () => {
    const b = bars(Array.from({ length: 100 }, () => 10));
    const vb = volumeBars(b, MIN, 57 * MIN, 10);
    expect(vb).toHaveLength(10);
    expect(vb.reduce((s, x) => s + x.value, 0)).toBeCloseTo(1000);
    expect(vb.filter((x) => x.alert).map((x) => x.from)).toEqual([50 * MIN]);
  });
});

describe('buildModel', () => {
  it('GIVEN no usable bar (empty, NaN or zero prices) THEN there is no model: the chart says "no data"', () => {
    expect(buildModel({ symbol: 'X', series: [{ venue: 'v', bars: [], barMs: MIN }], palette })).toBeUndefined();
    const bad = bars([1, 2]).map((b) => ({ ...b, close: Number.NaN }));
    expect(buildModel({ symbol: 'X', series: [{ venue: 'v', bars: bad, barMs: MIN }], palette })).toBeUndefined();
  });

  it('GIVEN some NaN bars THEN they are counted and left out', () => {
    const b = bars([1, 2, 3, 4]);
    b[1] = { ...b[1]!, close: Number.NaN };
    const m = buildModel({ symbol: 'X', series: [{ venue: 'v', bars: b, barMs: MIN }], palette })!;
    expect(m.invalidBars).toBe(1);
    expect(m.lines[0]!.points.map((p) => p.y)).toEqual([1, 3, 4]);
  });

  it('GIVEN a flat price THEN the price axis still spans a readable range around it', () => {
    const m = buildModel({ symbol: 'X', series: [{ venue: 'v', bars: bars([100, 100, 100]), barMs: MIN }], palette })!;
    expect(m.yMax - m.yMin).toBeCloseTo(100 * MIN_PRICE_SPAN_FRACTION);
    expect((m.yMax + m.yMin) / 2).toBeCloseTo(100);
  });

  it('GIVEN one bar THEN it is an isolated point on a span of several bars', () => {
    const m = buildModel({ symbol: 'X', series: [{ venue: 'v', bars: bars([100]), barMs: MIN }], palette })!;
    expect(m.lines[0]!.isolated).toEqual([0]);
    expect(m.xMax - m.xMin).toBeGreaterThanOrEqual(10 * MIN);
  });

  it('GIVEN venues that agree with the composite THEN only the composite line is drawn', () => {
    const req = sampleAlertRequest('venues');
    const calm = req.series.slice(1);
    const m = buildModel({ symbol: 'X', series: calm, composite: req.composite, palette })!;
    expect(m.lines.map((l) => l.label)).toEqual(['median of 4 venues']);
  });

  it('GIVEN a venue that breaks away THEN every venue gets a line, after the main one', () => {
    const req = sampleAlertRequest('venues');
    const m = buildModel({ symbol: 'X', series: req.series, composite: req.composite, palette })!;
    expect(m.lines.map((l) => l.label)).toEqual(['median of 5 venues', 'binance', 'coinbase', 'kraken', 'okx', 'bybit']);
    expect(m.lines[0]!.color).toBe(palette.price);
  });

  it(`GIVEN more than ${MAX_VENUE_LINES} disagreeing venues THEN the rest are counted, not drawn`, () => {
    const series = Array.from({ length: MAX_VENUE_LINES + 3 }, (_, i) => ({ venue: `v${i}`, barMs: MIN, bars: walkBars({ n: 30, seed: i + 1, vol: 0.01 }) }));
    const m = buildModel({ symbol: 'X', series, palette })!;
    expect(m.lines).toHaveLength(MAX_VENUE_LINES + 1);
    expect(m.hiddenVenues).toBe(2);
  });

  it('GIVEN an on-demand range THEN the x axis spans the whole range, ending at the last bar', () => {
    const m = buildModel({ symbol: 'X', series: [{ venue: 'v', bars: bars([1, 2, 3]), barMs: MIN }], palette, rangeMs: 60 * MIN })!;
    expect(m.xMax).toBe(3 * MIN);
    expect(m.xMin).toBe(3 * MIN - 60 * MIN);
  });
});
