import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, RangeChartRequest } from '../../src/engine/index.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/render/chart.js';
import { ChartRenderer } from '../../src/render/renderer.js';
import { sampleAlert, sampleAlertRequest, sampleRangeRequest, walkBars } from '../../src/render/samples.js';
import { PALETTES } from '../../src/render/theme.js';
import { countColour, decodePng } from './helpers.js';

/**
 * Labels near the plot's edges stay whole and inside the plot. The pixel checks look at the strips
 * outside the plot where an alert's marker does not reach (its triangle is 9 px either side of
 * the alert's column, its ring 10): label colour there is a label that ran out of the plot.
 */
const MARKER_REACH = 12;

let renderer: ChartRenderer;
beforeAll(() => {
  renderer = new ChartRenderer();
});

type Rect = { left: number; top: number; right: number; bottom: number };
const within = (b: Rect, r: Rect) => b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom;

/** The day-long sample with its alerts replaced: one at the first bar, one at the last, with long changes. */
function edgeAlerts(pct: number): RangeChartRequest {
  const req = sampleRangeRequest();
  const bars = req.series[0]!.bars;
  const at = (i: number, p: number): AlertEvent => {
    const a = sampleAlert(bars, 60_000, i, Math.max(0, i - 5), 'binance');
    return { ...a, ts: bars[i]!.ts, direction: p >= 0 ? 'up' : 'down', change: { ...a.change, pct: p } };
  };
  return { ...req, alerts: [at(0, -pct), at(bars.length - 1, pct)] };
}

describe('labels at the plot edges', () => {
  it.each(['dark', 'light'] as const)('GIVEN alerts at the first and last bar of a range chart with long changes (%s) THEN their labels lie in the plot and none of their colour shows beyond it', (theme) => {
    const palette = PALETTES[theme];
    for (const pct of [0.9, 12.5, 1234.56]) {
      const out = renderer.drawRange({ ...edgeAlerts(pct), theme });
      const layout = out.layout!;
      const plot = layout.plot;
      expect(layout.labels, `${pct}%`).toHaveLength(2);
      for (const box of layout.labels) expect(within(box, plot), `${pct}%: ${JSON.stringify(box)} in ${JSON.stringify(plot)}`).toBe(true);
      const img = decodePng(out.png);
      const rows = { top: 0, bottom: CHART_HEIGHT };
      // The up alert is at the right edge, the down one at the left.
      expect(countColour(img, { ...rows, left: plot.right + MARKER_REACH, right: CHART_WIDTH }, palette.up).hits, `${pct}% right`).toBe(0);
      expect(countColour(img, { ...rows, left: 0, right: plot.left - MARKER_REACH }, palette.down).hits, `${pct}% left`).toBe(0);
      // The labels were drawn: their colour shows inside the plot near each edge.
      expect(countColour(img, { ...plot, left: plot.right - 100 }, palette.up).hits).toBeGreaterThan(40);
      expect(countColour(img, { ...plot, right: plot.left + 100 }, palette.down).hits).toBeGreaterThan(40);
    }
  });

  it('GIVEN the day-long sample THEN every alert label lies in the plot', () => {
    const out = renderer.drawRange(sampleRangeRequest());
    expect(out.layout!.labels).toHaveLength(3);
    for (const box of out.layout!.labels) expect(within(box, out.layout!.plot)).toBe(true);
  });

  it('GIVEN an alert at the last bar (the live case) with a long change THEN the callout lies in the price pane, clear of the right edge', () => {
    const n = 120;
    const bars = walkBars({ n, move: { at: n - 3, pct: 6.4, rampBars: 3 }, seed: 7 });
    const a = sampleAlert(bars, 60_000, n - 1, n - 4, 'binance');
    for (const pct of [6.4, -1234.56]) {
      const alert: AlertEvent = { ...a, direction: pct >= 0 ? 'up' : 'down', change: { ...a.change, pct, windowMs: 89 * 60_000 } };
      const out = renderer.drawAlert({ alert, series: [{ venue: 'binance', bars, barMs: 60_000 }] });
      const layout = out.layout!;
      expect(layout.labels).toHaveLength(1);
      expect(within(layout.labels[0]!, layout.pricePane)).toBe(true);
      const colour = pct >= 0 ? PALETTES.dark.up : PALETTES.dark.down;
      expect(countColour(decodePng(out.png), { left: layout.plot.right + MARKER_REACH, right: CHART_WIDTH, top: 0, bottom: CHART_HEIGHT }, colour).hits).toBe(0);
    }
  });

  it('GIVEN the alert samples THEN each callout lies in the price pane', () => {
    for (const name of ['spike', 'dump', 'gap', 'venues', 'single'] as const) {
      const out = renderer.drawAlert(sampleAlertRequest(name));
      expect(out.layout!.labels, name).toHaveLength(1);
      expect(within(out.layout!.labels[0]!, out.layout!.pricePane), name).toBe(true);
    }
  });
});

describe('header text stays on the canvas', () => {
  /** The strip right of the header's text column (PAD.right is 14 px). */
  const RIGHT_STRIP = 14;
  const LONG_SYMBOL = '1000000MOGCOIN/USDT:USDT';
  const VENUES = ['binanceusdm', 'coinbaseexchange', 'krakenfutures', 'okxfutures', 'bybitlinear', 'gateiofutures', 'kucoinfutures', 'bitgetswap', 'mexcswap', 'htxswap', 'bingxswap'];

  it('GIVEN many venues with long names THEN the legend ends inside the canvas and counts every venue it does not name', () => {
    const n = 120;
    const series = VENUES.map((venue, i) => ({ venue, barMs: 60_000, bars: walkBars({ n, seed: 100 + i, vol: 0.002, move: i === 0 ? { at: n - 3, pct: 9, rampBars: 3 } : undefined }) }));
    const alert = sampleAlert(series[0]!.bars, 60_000, n - 1, n - 4, VENUES[0]!, LONG_SYMBOL);
    const out = renderer.drawAlert({ alert: { ...alert, consensus: { kind: 'venue-specific', confirming: [], fresh: VENUES } }, series });
    const img = decodePng(out.png);
    const strip = { left: CHART_WIDTH - RIGHT_STRIP, right: CHART_WIDTH, top: 0, bottom: out.layout!.plot.top };
    expect(countColour(img, strip, PALETTES.dark.muted, 40).hits).toBe(0);
    expect(countColour(img, strip, PALETTES.dark.up, 40).hits).toBe(0);
  });

  it('GIVEN a pair name and change too long for the first line THEN the line shrinks, then cuts the name, and stays inside the canvas', () => {
    const req = sampleAlertRequest('spike');
    const symbol = `${LONG_SYMBOL}-${LONG_SYMBOL}`;
    const out = renderer.drawAlert({ ...req, alert: { ...req.alert, symbol, change: { ...req.alert.change, pct: -1234.56, windowMs: 89 * 60_000 }, direction: 'down' } });
    const img = decodePng(out.png);
    const strip = { left: CHART_WIDTH - RIGHT_STRIP, right: CHART_WIDTH, top: 0, bottom: out.layout!.plot.top };
    expect(countColour(img, strip, PALETTES.dark.text, 40).hits).toBe(0);
    expect(countColour(img, strip, PALETTES.dark.down, 40).hits).toBe(0);
    // The change is drawn whole: its colour reaches into the right half of the first line.
    expect(countColour(img, { left: CHART_WIDTH / 2, right: CHART_WIDTH - RIGHT_STRIP, top: 0, bottom: 50 }, PALETTES.dark.down).hits).toBeGreaterThan(100);
  });

  it('GIVEN a pair with no data and a long name THEN the message stays inside the canvas', () => {
    const out = renderer.drawRange({ symbol: `${LONG_SYMBOL}-${LONG_SYMBOL}-${LONG_SYMBOL}`, range: '7d', series: [], alerts: [] });
    const img = decodePng(out.png);
    for (const [left, right] of [[0, RIGHT_STRIP], [CHART_WIDTH - RIGHT_STRIP, CHART_WIDTH]] as const) {
      expect(countColour(img, { left, right, top: 0, bottom: CHART_HEIGHT }, PALETTES.dark.muted, 40).hits).toBe(0);
      expect(countColour(img, { left, right, top: 0, bottom: CHART_HEIGHT }, PALETTES.dark.text, 40).hits).toBe(0);
    }
  });
});
