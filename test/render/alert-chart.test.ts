import { beforeAll, describe, expect, it } from 'vitest';
import { UserError, type AlertChartRequest } from '../../src/engine/index.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/render/chart.js';
import { ChartRenderer } from '../../src/render/renderer.js';
import { sampleAlertRequest, sampleRangeRequest, walkBars } from '../../src/render/samples.js';
import { PALETTES } from '../../src/render/theme.js';
import { columnOf, countColour, decodePng, hexRgb, pixel, timeSlice, type Image } from './helpers.js';

const dark = PALETTES.dark;
const light = PALETTES.light;
/** Antialiased line edges blend; the line's core pixels are within this of its colour. */
const LINE_TOLERANCE = 12;

let renderer: ChartRenderer;
beforeAll(() => {
  renderer = new ChartRenderer();
});

function draw(req: AlertChartRequest) {
  const out = renderer.drawAlert(req);
  return { ...out, img: decodePng(out.png) };
}

/** Rows (y) where the price colour shows in the columns of [x0, x1). */
function priceRows(img: Image, x0: number, x1: number, top: number, bottom: number, hex = dark.price): number[] {
  const c = hexRgb(hex);
  const rows: number[] = [];
  for (let y = Math.ceil(top); y < bottom; y++) {
    for (let x = Math.ceil(x0); x < x1; x++) {
      const p = pixel(img, x, y);
      if (Math.abs(p[0] - c[0]) <= LINE_TOLERANCE && Math.abs(p[1] - c[1]) <= LINE_TOLERANCE && Math.abs(p[2] - c[2]) <= LINE_TOLERANCE) {
        rows.push(y);
        break;
      }
    }
  }
  return rows;
}

describe('alert chart', () => {
  it('GIVEN a spike alert THEN the PNG is 1200x675 on the dark background', () => {
    const { img, layout } = draw(sampleAlertRequest('spike'));
    expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    expect(pixel(img, 2, CHART_HEIGHT - 2)).toEqual(hexRgb(dark.background));
    expect(layout).toBeDefined();
  });

  it('GIVEN a spike alert THEN the anomaly window, from the move start to the alert, carries the highlight colour and nothing else does', () => {
    const req = sampleAlertRequest('spike');
    const { img, layout } = draw(req);
    const win = layout!.window!;
    expect(win.left).toBeCloseTo(columnOf(layout!, req.alert.change.fromTs), 0);
    expect(win.right).toBeCloseTo(columnOf(layout!, req.alert.ts), 0);
    const inside = countColour(img, { left: win.left + 2, right: win.right - 2, top: layout!.plot.top, bottom: layout!.plot.bottom }, dark.highlight);
    expect(inside.hits / inside.total).toBeGreaterThan(0.5);
    const before = countColour(img, { ...layout!.plot, right: win.left - 2 }, dark.highlight);
    const after = countColour(img, { ...layout!.plot, left: win.right + 2 }, dark.highlight);
    expect(before.hits + after.hits).toBe(0);
  });

  it('GIVEN a spike alert THEN the price line is drawn inside the price pane, before and after the move', () => {
    const req = sampleAlertRequest('spike');
    const { img, layout } = draw(req);
    const pane = layout!.pricePane;
    const inPane = countColour(img, pane, dark.price, LINE_TOLERANCE);
    expect(inPane.hits).toBeGreaterThan(500);
    const outside = countColour(img, { left: 0, right: CHART_WIDTH, top: 0, bottom: layout!.plot.top - 1 }, dark.price, LINE_TOLERANCE);
    expect(outside.hits).toBe(0);
    // The line after the alert sits higher (smaller y) than before the move: the chart shows the spike.
    const win = layout!.window!;
    const beforeRows = priceRows(img, pane.left + 10, win.left - 10, pane.top, pane.bottom);
    const afterRows = priceRows(img, win.right + 10, pane.right - 10, pane.top, pane.bottom);
    expect(Math.max(...afterRows)).toBeLessThan(Math.min(...beforeRows));
  });

  it('GIVEN an up alert THEN its volume bar is marked in the up colour inside the window', () => {
    const { img, layout } = draw(sampleAlertRequest('spike'));
    const win = layout!.window!;
    const bar = countColour(img, { left: win.left, right: win.right, top: layout!.volumePane.top, bottom: layout!.volumePane.bottom }, dark.up);
    expect(bar.hits).toBeGreaterThan(20);
  });

  it('GIVEN a dump alert on the light theme THEN the background is white and the window and alert marks use the light palette', () => {
    const { img, layout } = draw(sampleAlertRequest('dump', { theme: 'light' }));
    expect(pixel(img, 2, CHART_HEIGHT - 2)).toEqual(hexRgb(light.background));
    const win = layout!.window!;
    expect(countColour(img, { left: win.left + 2, right: win.right - 2, top: layout!.plot.top, bottom: layout!.plot.bottom }, light.highlight).hits).toBeGreaterThan(100);
    expect(countColour(img, layout!.plot, light.down).hits).toBeGreaterThan(50);
    expect(countColour(img, layout!.plot, light.price, LINE_TOLERANCE).hits).toBeGreaterThan(500);
  });

  it('GIVEN the same request twice THEN the bytes are the same', () => {
    const req = sampleAlertRequest('venues');
    expect(Buffer.from(renderer.drawAlert(req).png).equals(Buffer.from(renderer.drawAlert(req).png))).toBe(true);
  });

  it('GIVEN one renderer drawing A, then other charts, then A again THEN every chart has the bytes it has from a fresh renderer', () => {
    // The renderer keeps one Chart.js chart and updates it per chart: nothing of one chart may show in the next.
    const a = sampleAlertRequest('spike', { n: 3600 });
    const charts: [string, (r: ChartRenderer) => Uint8Array][] = [
      ['spike, 3,600 points', (r) => r.drawAlert(a).png],
      ['venues, light, Berlin', (r) => r.drawAlert(sampleAlertRequest('venues', { theme: 'light', timeZone: 'Europe/Berlin' })).png],
      ['single bar', (r) => r.drawAlert(sampleAlertRequest('single')).png],
      ['no data', (r) => r.drawAlert({ ...a, series: [{ venue: 'binance', bars: [], barMs: 60_000 }] }).png],
      ['range 24h, light', (r) => r.drawRange(sampleRangeRequest({ theme: 'light' })).png],
      ['gap, light', (r) => r.drawAlert(sampleAlertRequest('gap', { theme: 'light' })).png],
      ['range 1h', (r) => r.drawRange(sampleRangeRequest({ range: '1h' })).png],
    ];
    const fresh = new Map(charts.map(([name, draw]) => [name, Buffer.from(draw(new ChartRenderer()))]));
    // A, B, C, ..., then back: every chart is drawn after every kind of chart before it.
    for (const [name, draw] of [...charts, ...charts.slice(0, -1).reverse()]) {
      expect(Buffer.from(draw(renderer)).equals(fresh.get(name)!), name).toBe(true);
    }
  });

  it('GIVEN venues that disagree THEN each venue gets its own line colour beside the main line', () => {
    const { img, layout } = draw(sampleAlertRequest('venues'));
    // The breakaway venue (first venue colour) stands apart after the move.
    const win = layout!.window!;
    expect(countColour(img, { ...layout!.pricePane, left: win.right + 5 }, dark.venues[0]!, LINE_TOLERANCE).hits).toBeGreaterThan(100);
    expect(countColour(img, layout!.pricePane, dark.price, LINE_TOLERANCE).hits).toBeGreaterThan(50);
  });
});

describe('degenerate data is drawn honestly', () => {
  it('GIVEN a flat price THEN the line is flat, in the middle of the price pane', () => {
    const { img, layout } = draw(sampleAlertRequest('flat'));
    const pane = layout!.pricePane;
    const rows = priceRows(img, pane.left + 10, pane.right - 10, pane.top, pane.bottom);
    expect(rows.length).toBeGreaterThan(0);
    expect(Math.max(...rows) - Math.min(...rows)).toBeLessThanOrEqual(5);
    const mid = (pane.top + pane.bottom) / 2;
    expect(Math.abs((Math.max(...rows) + Math.min(...rows)) / 2 - mid)).toBeLessThan((pane.bottom - pane.top) * 0.1);
  });

  it('GIVEN a single bar THEN the alert chart draws it, and a range chart shows it as a dot of the price colour', () => {
    expect(draw(sampleAlertRequest('single')).layout).toBeDefined();
    const bars = walkBars({ n: 1 });
    const out = renderer.drawRange({ symbol: 'BTC/USDT', range: '15m', series: [{ venue: 'binance', bars, barMs: 60_000 }], alerts: [] });
    expect(countColour(decodePng(out.png), out.layout!.pricePane, dark.price, LINE_TOLERANCE).hits).toBeGreaterThan(10);
  });

  it('GIVEN a feed gap THEN the line breaks there (no interpolation) and the gap is shaded', () => {
    const req = sampleAlertRequest('gap');
    const bars = req.series[0]!.bars;
    const i = bars.findIndex((b, k) => k > 0 && b.ts - bars[k - 1]!.ts > 60_000);
    const from = bars[i - 1]!.ts + 60_000;
    const to = bars[i]!.ts;
    const { img, layout } = draw(req);
    const span = to - from;
    const inGap = timeSlice(layout!, from + span * 0.2, to - span * 0.2, layout!.pricePane);
    expect(countColour(img, inGap, dark.price, LINE_TOLERANCE).hits).toBe(0);
    expect(countColour(img, inGap, dark.gap).hits / countColour(img, inGap, dark.gap).total).toBeGreaterThan(0.5);
    const beforeGap = timeSlice(layout!, from - span * 0.5, from, layout!.pricePane);
    expect(countColour(img, beforeGap, dark.price, LINE_TOLERANCE).hits).toBeGreaterThan(10);
  });

  it('GIVEN no bars at all THEN a "no data" chart of the same size comes back', async () => {
    const req = { ...sampleAlertRequest('spike'), series: [{ venue: 'binance', bars: [], barMs: 60_000 }] };
    const out = renderer.drawAlert(req);
    expect(out.layout).toBeUndefined();
    const img = decodePng(await renderer.renderAlert(req));
    expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    expect(countColour(img, { left: 0, right: CHART_WIDTH, top: 300, bottom: 420 }, dark.muted, 30).hits).toBeGreaterThan(100);
  });

  it('GIVEN NaN prices THEN those bars are left out, and a series of nothing but NaN is a "no data" chart', () => {
    const req = sampleAlertRequest('spike');
    const bars = req.series[0]!.bars.map((b, i) => (i % 10 === 3 ? { ...b, close: Number.NaN } : b));
    const some = renderer.drawAlert({ ...req, series: [{ ...req.series[0]!, bars }] });
    expect(some.layout).toBeDefined();
    const none = renderer.drawAlert({ ...req, series: [{ ...req.series[0]!, bars: bars.map((b) => ({ ...b, close: Number.NaN })) }] });
    expect(none.layout).toBeUndefined();
  });

  it('GIVEN 3,600 one-second bars THEN the long series is drawn', () => {
    const bars = walkBars({ n: 3600, barMs: 1000, vol: 0.0002, move: { at: 3000, pct: 2, rampBars: 30 } });
    const req = sampleAlertRequest('spike');
    const alert = { ...req.alert, ts: bars[3040]!.ts + 1000, barTs: bars[3040]!.ts, price: bars[3040]!.close, change: { ...req.alert.change, fromTs: bars[2999]!.ts + 1000 } };
    const { img, layout } = draw({ alert, series: [{ venue: 'binance', bars, barMs: 1000 }] });
    expect(countColour(img, layout!.pricePane, dark.price, LINE_TOLERANCE).hits).toBeGreaterThan(800);
  });
});

describe('bad requests', () => {
  it('GIVEN an unknown time zone THEN a bad_input UserError names it', async () => {
    const err = await renderer.renderAlert(sampleAlertRequest('spike', { timeZone: 'Mars/Olympus' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('bad_input');
    expect((err as UserError).message).toContain('Mars/Olympus');
  });

  it('GIVEN a series with no bar length, or an alert with no change THEN a bad_input UserError says what is wrong', () => {
    const req = sampleAlertRequest('spike');
    expect(() => renderer.drawAlert({ ...req, series: [{ ...req.series[0]!, barMs: 0 }] })).toThrow(/bar length/);
    expect(() => renderer.drawAlert({ ...req, alert: { ...req.alert, change: undefined as never } })).toThrow(/price change/);
    expect(() => renderer.drawAlert({ ...req, theme: 'pink' as never })).toThrow(/unknown theme/);
    expect(() => renderer.drawAlert(undefined as never)).toThrow(/request is missing/);
  });
});

describe('range chart', () => {
  it('GIVEN a day of bars with alerts THEN the chart marks each alert in its direction colour', () => {
    const out = renderer.drawRange(sampleRangeRequest());
    const img = decodePng(out.png);
    expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    const layout = out.layout!;
    expect(layout.time.max - layout.time.min).toBe(24 * 3600_000);
    expect(countColour(img, layout.pricePane, dark.price, LINE_TOLERANCE).hits).toBeGreaterThan(800);
    expect(countColour(img, layout.pricePane, dark.down).hits).toBeGreaterThan(50);
    expect(countColour(img, layout.pricePane, dark.up).hits).toBeGreaterThan(25);
  });

  it('GIVEN an unknown range THEN a bad_input UserError lists the valid ones', () => {
    expect(() => renderer.drawRange(sampleRangeRequest({ range: '3w' }))).toThrow(/15m, 1h, 4h, 24h, 7d/);
  });

  it('GIVEN a pair with no stored bars THEN a "no data" chart comes back', () => {
    const out = renderer.drawRange({ symbol: 'ETH/USDT', range: '1h', series: [], alerts: [] });
    expect(out.layout).toBeUndefined();
    expect(decodePng(out.png).width).toBe(CHART_WIDTH);
  });
});
