import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { Chart, LinearScale, LineController, LineElement, PointElement, type ChartData, type ChartOptions, type Plugin, type Scale } from 'chart.js';
import { formatPct, type AlertEvent } from '../engine/index.js';
import { FONT_FAMILY, font } from './fonts.js';
import { formatCompact, formatTickPrice, niceTicks } from './format.js';
import { calloutBox, fitText, legendEntries, markLabelBox, type Box, type Size, type TextMeasurer } from './label-box.js';
import type { ChartModel } from './model.js';
import type { Palette } from './theme.js';
import { tickLabels, timeTicks, type ZoneClock } from './time-axis.js';

/** About 16:9, the size Telegram and Discord show inline without cropping; read on a phone. */
export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 675;

/** Pixel sizes of the lettering, chosen to stay readable when a phone shows the chart ~380 px wide. */
const TEXT = { title: 34, detail: 20, tick: 18, callout: 22, note: 17 } as const;
/** The smallest the header's first line shrinks to before the pair's name is cut short. */
const MIN_TITLE_TEXT = 24;
/** Between the pair's name and the change in the header's first line. */
const TITLE_GAP = 18;
/** Header lines: title, details, and a legend when several lines are drawn. */
const HEADER_HEIGHT = 96;
const LEGEND_HEIGHT = 30;
const LINE2_Y = 60;
const LEGEND_Y = 94;
const PAD = { left: 24, right: 14, bottom: 6 } as const;
/** Time labels: at most one per this many pixels of plot. */
const PX_PER_TIME_TICK = 130;
/** Price labels on the price pane. */
const MAX_PRICE_TICKS = 5;
/** The price pane's share of the plot height against the volume pane's. */
const PANE_WEIGHTS = { price: 4, volume: 1 } as const;
/** Alerts on an on-demand chart: beyond this many, markers carry no text. */
const MAX_LABELLED_MARKS = 6;
/** Half the width of an alert marker triangle on an on-demand chart. */
const MARK_SIZE = 9;
/** The dashed line through an alert on an on-demand chart. */
const RANGE_MARK_LINE_WIDTH = 1.5;
/** How far the ring at an alert point reaches from its centre (radius 8 and half its 3 px edge). */
const ALERT_RING_EXTENT = 10;
/** Between the alert point and its change callout. */
const CALLOUT_GAP = 16;
/** Width of the background-coloured edge around an alert marker's label. */
const LABEL_HALO = 4;

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Where things landed, for tests and for anyone placing overlays. */
export interface ChartLayout {
  plot: Rect;
  pricePane: Rect;
  volumePane: Rect;
  /** The time at the plot's left and right edges: the x axis is linear between them. */
  time: { min: number; max: number };
  /** The anomaly window's pixel columns, when the chart explains an alert. */
  window?: { left: number; right: number } | undefined;
  /** The boxes of the labels placed in the plot: the alert's change callout, the alert marks' changes. */
  labels: Rect[];
}

export interface HeaderText {
  title: string;
  /** Coloured by direction, after the title: `▲ +6.4% in 2 minutes`. */
  change?: { text: string; up: boolean } | undefined;
  /** Right-aligned, large: the last price. */
  price?: string | undefined;
  /** Second line: venues, score, time. */
  details: string[];
}

export interface Scene {
  model: ChartModel;
  palette: Palette;
  zone: ZoneClock;
  header: HeaderText;
  /** The alert the chart explains: window shaded, bar and change marked. */
  alert?: AlertEvent | undefined;
  /** Alerts marked on an on-demand chart. */
  marks?: AlertEvent[] | undefined;
  /** Text of the callout at the alert point. */
  calloutText?: string | undefined;
}

/** Registers the Chart.js parts the charts use (per thread; registering twice is harmless). */
export function registerChartJs(): void {
  Chart.register(LineController, LineElement, PointElement, LinearScale);
}

type Ctx = SKRSContext2D;

/** Text shaping follows the host's language unless told; fixed, so that every host draws the same pixels. */
const TEXT_LANG = 'en';

export function fillBackground(ctx: Ctx, palette: Palette): void {
  ctx.lang = TEXT_LANG;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, CHART_WIDTH, CHART_HEIGHT);
}

/** What the plugins of a ScenePainter's chart draw from: the scene of the draw in progress. */
interface Drawing {
  scene: Scene;
  layout: ChartLayout;
}

type LineChart = Chart<'line', { x: number; y: number | null }[]>;

/**
 * Draws scenes on one canvas (CHART_WIDTH x CHART_HEIGHT) with one Chart.js chart that each scene
 * updates, rather than a chart built and torn down per scene: a new chart resizes the canvas, so
 * that the canvas library allocates fresh pixel memory every time, and rebuilds its scales,
 * controllers and plugins. Everything a scene draws comes from its options, data and the plugins'
 * `Drawing`, never from the scene before, and every draw starts from the context state the chart
 * was made with (saved before and restored after). One painter draws one scene at a time.
 */
export class ScenePainter {
  private chart: LineChart;
  private drawing: Drawing | undefined;
  private readonly plugins: Plugin<'line'>[];

  constructor(private readonly canvas: Canvas) {
    const ctx = canvas.getContext('2d');
    const now = (): Drawing => {
      if (!this.drawing) throw new Error('ScenePainter: Chart.js drew outside ScenePainter.draw');
      return this.drawing;
    };
    this.plugins = [
      {
        // A chart lays out and draws only inside draw(): not when it is made.
        id: 'tickwatchGate',
        beforeUpdate: () => this.drawing !== undefined,
        beforeRender: () => this.drawing !== undefined,
      },
      {
        id: 'tickwatchUnder',
        beforeDraw: (chart) => {
          const { scene, layout } = now();
          const area = chart.chartArea;
          const x = chart.scales.x!;
          fillBackground(ctx, scene.palette);
          for (const g of scene.model.gaps) drawGap(ctx, x, area, g, scene.palette);
          if (scene.alert) layout.window = drawWindow(ctx, x, area, scene.alert, scene.palette);
        },
      },
      {
        id: 'tickwatchVolume',
        beforeDatasetsDraw: (chart) => {
          const { scene } = now();
          drawVolume(ctx, chart, scene.model, scene.palette, scene.alert);
        },
      },
      {
        id: 'tickwatchOver',
        afterDatasetsDraw: (chart) => {
          const { scene, layout } = now();
          const placed = (box: Rect | undefined) => box && layout.labels.push(box);
          if (scene.alert) placed(drawAlertMark(ctx, chart, scene.alert, scene.calloutText ?? '', scene.palette));
          const marks = scene.marks ?? [];
          for (const [i, m] of marks.entries()) placed(drawRangeMark(ctx, chart, m, marks.length <= MAX_LABELLED_MARKS, i, scene.palette));
        },
        afterDraw: () => drawHeader(ctx, now().scene),
      },
    ];
    this.chart = this.newChart();
  }

  /**
   * An empty chart, drawn by nothing until draw() updates it. Making it sizes the canvas, which
   * resets the context: it is made before any draw saves the context's state.
   */
  private newChart(): LineChart {
    return new Chart(this.canvas as never, {
      type: 'line',
      data: { datasets: [] },
      options: { animation: false, responsive: false, devicePixelRatio: 1, events: [] },
      plugins: this.plugins,
    });
  }

  /** Draws `scene`, hands the drawn canvas to `capture`, and tells where the chart's parts went. */
  draw<T>(scene: Scene, capture: () => T): { layout: ChartLayout; captured: T } {
    const { model } = scene;
    const layout: ChartLayout = { plot: zeroRect(), pricePane: zeroRect(), volumePane: zeroRect(), time: { min: model.xMin, max: model.xMax }, labels: [] };
    const { data, options } = chartConfig(scene);
    const ctx = this.canvas.getContext('2d');
    this.drawing = { scene, layout };
    let failed = false;
    ctx.save();
    try {
      const chart = this.chart;
      chart.data = data;
      chart.options = options;
      chart.update('none');
      const captured = capture();
      const y = chart.scales.y!;
      const v = chart.scales.v!;
      const a = chart.chartArea;
      layout.plot = { left: a.left, top: a.top, right: a.right, bottom: a.bottom };
      layout.pricePane = { left: a.left, top: y.top, right: a.right, bottom: y.bottom };
      layout.volumePane = { left: a.left, top: v.top, right: a.right, bottom: v.bottom };
      return { layout, captured };
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      ctx.restore();
      this.drawing = undefined;
      if (failed) {
        // A chart that failed half way may hold anything: the next scene gets a new one.
        this.chart.destroy();
        this.chart = this.newChart();
      }
    }
  }
}

/** The Chart.js data and options of a scene; the drawing of everything else is in the painter's plugins. */
function chartConfig(scene: Scene): { data: ChartData<'line', { x: number; y: number | null }[]>; options: ChartOptions<'line'> } {
  const { model, palette, zone } = scene;
  const plotWidth = CHART_WIDTH - PAD.left - PAD.right - 110;
  const { values: xTicks, step } = timeTicks(model.xMin, model.xMax, Math.max(3, Math.floor(plotWidth / PX_PER_TIME_TICK)), zone);
  const labels = new Map<number, string | string[]>();
  tickLabels(xTicks, step, zone).forEach((l, i) => labels.set(xTicks[i]!, l));
  const { values: priceTicks, step: priceStep } = niceTicks(model.yMin, model.yMax, MAX_PRICE_TICKS);
  const tickFont = { family: FONT_FAMILY, size: TEXT.tick };
  return {
    data: {
      datasets: model.lines.map((l) => ({
        label: l.label,
        data: l.points,
        borderColor: l.color,
        backgroundColor: l.color,
        borderWidth: l.width,
        borderJoinStyle: 'round',
        borderCapStyle: 'round',
        pointRadius: l.isolated.length === 0 ? 0 : isolatedRadii(l.points.length, l.isolated),
        pointBorderWidth: 0,
        pointHoverRadius: 0,
        spanGaps: false,
        tension: 0,
        fill: false,
        xAxisID: 'x',
        yAxisID: 'y',
      })),
    },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      parsing: false,
      normalized: true,
      events: [],
      layout: { padding: { top: HEADER_HEIGHT + (model.lines.length > 1 ? LEGEND_HEIGHT : 0), left: PAD.left, right: PAD.right, bottom: PAD.bottom } },
      plugins: { legend: { display: false }, tooltip: { enabled: false }, title: { display: false } },
      scales: {
        x: {
          type: 'linear',
          min: model.xMin,
          max: model.xMax,
          afterBuildTicks: (s: Scale) => {
            s.ticks = xTicks.map((value) => ({ value }));
          },
          ticks: { autoSkip: false, maxRotation: 0, color: palette.muted, font: tickFont, padding: 6, callback: (v) => labels.get(Number(v)) ?? '' },
          grid: { color: palette.grid, drawTicks: false },
          border: { display: false },
        },
        y: {
          type: 'linear',
          position: 'right',
          stack: 'panes',
          stackWeight: PANE_WEIGHTS.price,
          min: model.yMin,
          max: model.yMax,
          afterBuildTicks: (s: Scale) => {
            s.ticks = priceTicks.map((value) => ({ value }));
          },
          ticks: { color: palette.muted, font: tickFont, padding: 8, callback: (v) => formatTickPrice(Number(v), priceStep) },
          grid: { color: palette.grid, drawTicks: false },
          border: { display: false },
        },
        v: {
          type: 'linear',
          position: 'right',
          stack: 'panes',
          stackWeight: PANE_WEIGHTS.volume,
          offset: true,
          min: 0,
          max: model.volumeMax > 0 ? model.volumeMax * 1.1 : 1,
          ticks: { color: palette.muted, font: { ...tickFont, size: TEXT.note }, maxTicksLimit: 3, padding: 8, callback: (v) => (Number(v) === 0 ? '' : formatCompact(Number(v))) },
          grid: { display: false },
          border: { display: false },
        },
      },
    },
  };
}

/** A chart that says there is nothing to draw, rather than drawing something misleading. */
export function drawNoData(canvas: Canvas, palette: Palette, header: HeaderText, message: string): void {
  const ctx = canvas.getContext('2d');
  // The canvas may be a ScenePainter's: leave the context's state as it was found.
  ctx.save();
  fillBackground(ctx, palette);
  drawHeader(ctx, { palette, header });
  ctx.fillStyle = palette.muted;
  ctx.font = font(TEXT.callout, true);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(fitText(ctx, message, CHART_WIDTH - PAD.left - PAD.right), CHART_WIDTH / 2, (HEADER_HEIGHT + CHART_HEIGHT) / 2);
  ctx.restore();
}

function zeroRect(): Rect {
  return { left: 0, top: 0, right: 0, bottom: 0 };
}

function isolatedRadii(n: number, isolated: readonly number[]): number[] {
  const r = new Array<number>(n).fill(0);
  for (const i of isolated) r[i] = 4;
  return r;
}

function clampX(scale: Scale, area: Rect, ts: number): number {
  return Math.min(area.right, Math.max(area.left, scale.getPixelForValue(ts)));
}

function drawGap(ctx: Ctx, x: Scale, area: Rect, gap: { from: number; to: number }, palette: Palette): void {
  const l = clampX(x, area, gap.from);
  const r = clampX(x, area, gap.to);
  if (r - l < 1) return;
  ctx.fillStyle = palette.gap;
  ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
  ctx.font = font(TEXT.note);
  const w = ctx.measureText('no data').width;
  if (r - l > w + 12) {
    ctx.fillStyle = palette.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('no data', (l + r) / 2, area.top + 8);
    ctx.textAlign = 'left';
  }
}

/** The anomaly window, from the extreme the move is measured from to the alert. */
function drawWindow(ctx: Ctx, x: Scale, area: Rect, alert: AlertEvent, palette: Palette): { left: number; right: number } {
  let l = clampX(x, area, alert.change.fromTs);
  let r = clampX(x, area, alert.ts);
  if (r - l < 4) {
    const c = (l + r) / 2;
    l = c - 2;
    r = c + 2;
  }
  ctx.fillStyle = palette.highlight;
  ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
  ctx.fillStyle = palette.highlightEdge;
  ctx.fillRect(Math.round(l), area.top, 1, area.bottom - area.top);
  ctx.fillRect(Math.round(r) - 1, area.top, 1, area.bottom - area.top);
  return { left: l, right: r };
}

function drawVolume(ctx: Ctx, chart: Chart<'line'>, model: ChartModel, palette: Palette, alert: AlertEvent | undefined): void {
  const x = chart.scales.x!;
  const v = chart.scales.v!;
  const area = chart.chartArea;
  const base = v.getPixelForValue(0);
  ctx.save();
  ctx.beginPath();
  ctx.rect(area.left, v.top, area.right - area.left, v.bottom - v.top);
  ctx.clip();
  for (const b of model.volume) {
    const l = x.getPixelForValue(b.from);
    const r = x.getPixelForValue(b.to);
    const w = Math.max(1, (r - l) * 0.8);
    const top = v.getPixelForValue(b.value);
    const alertColour = alert?.direction === 'down' ? palette.down : palette.up;
    ctx.fillStyle = b.alert ? alertColour : b.up ? palette.volumeUp : palette.volumeDown;
    ctx.fillRect(l + (r - l - w) / 2, top, w, Math.max(b.value > 0 ? 1 : 0, base - top));
  }
  ctx.restore();
  ctx.fillStyle = palette.muted;
  ctx.font = font(TEXT.note);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(fitText(ctx, `volume · ${model.volumeVenue}`, area.right - area.left - 12), area.left + 6, v.top + 2);
}

/** Draws the alert's line, points and change callout; returns the callout's box. */
function drawAlertMark(ctx: Ctx, chart: Chart<'line'>, alert: AlertEvent, text: string, palette: Palette): Rect | undefined {
  const x = chart.scales.x!;
  const y = chart.scales.y!;
  const area = chart.chartArea;
  const colour = alert.direction === 'down' ? palette.down : palette.up;
  const px = clampX(x, area, alert.ts);
  const py = y.getPixelForValue(alert.price);

  ctx.save();
  ctx.strokeStyle = colour;
  ctx.globalAlpha = 0.6;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([6, 5]);
  ctx.beginPath();
  ctx.moveTo(px, area.top);
  ctx.lineTo(px, area.bottom);
  ctx.stroke();
  ctx.restore();

  const fx = x.getPixelForValue(alert.change.fromTs);
  if (fx >= area.left && fx <= area.right && Number.isFinite(alert.change.fromPrice)) {
    ring(ctx, fx, y.getPixelForValue(alert.change.fromPrice), 6, palette.highlightEdge, palette.background);
  }
  ring(ctx, px, py, 8, colour, palette.background);

  if (!text) return undefined;
  ctx.font = font(TEXT.callout, true);
  const t = measureText(ctx, text);
  const size = { width: t.width + 24, height: TEXT.callout + 18 };
  // Inside the price pane: the callout tells about a price, and the volume pane has its own label.
  const bounds = { left: area.left, right: area.right, top: y.top, bottom: y.bottom };
  const point = { left: px - ALERT_RING_EXTENT, right: px + ALERT_RING_EXTENT, top: py - ALERT_RING_EXTENT, bottom: py + ALERT_RING_EXTENT };
  const box = calloutBox(point, size, bounds, alert.direction === 'down' ? 1 : -1, lineSegments(chart), CALLOUT_GAP);
  const bw = box.right - box.left;
  const bh = box.bottom - box.top;
  ctx.fillStyle = palette.calloutBackground;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.roundRect(box.left, box.top, bw, bh, 8);
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = colour;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, box.left + 12 + t.dx, box.top + bh / 2 + 1);
  return box;
}

/** Bounding boxes of every drawn line segment, in pixels. */
function lineSegments(chart: Chart<'line'>): Box[] {
  const out: Box[] = [];
  chart.data.datasets.forEach((_, i) => {
    const pts = chart.getDatasetMeta(i).data as unknown as { x: number; y: number; skip?: boolean }[];
    for (let k = 0; k < pts.length; k++) {
      const a = pts[k]!;
      if (a.skip || !Number.isFinite(a.y)) continue;
      const b = pts[k + 1] && !pts[k + 1]!.skip && Number.isFinite(pts[k + 1]!.y) ? pts[k + 1]! : a;
      out.push({ left: Math.min(a.x, b.x), right: Math.max(a.x, b.x), top: Math.min(a.y, b.y) - 2, bottom: Math.max(a.y, b.y) + 2 });
    }
  });
  return out;
}

/** Draws an alert's marker on an on-demand chart; returns its label's box when it has one. */
function drawRangeMark(ctx: Ctx, chart: Chart<'line'>, alert: AlertEvent, labelled: boolean, index: number, palette: Palette): Rect | undefined {
  const x = chart.scales.x!;
  const y = chart.scales.y!;
  const area = chart.chartArea;
  const px = x.getPixelForValue(alert.ts);
  if (px < area.left || px > area.right) return undefined;
  const py = Math.min(area.bottom - 12, Math.max(area.top + 12, y.getPixelForValue(alert.price)));
  // The marker sits beyond the price in the move's direction, unless that leaves the plot.
  const room = 14 + MARK_SIZE + 4 + 2 * (TEXT.note + 4);
  const pointsUp = alert.direction === 'up';
  const above = pointsUp ? py - room >= area.top : py + room > area.bottom;
  const colour = pointsUp ? palette.up : palette.down;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = RANGE_MARK_LINE_WIDTH;
  ctx.globalAlpha = 0.45;
  ctx.setLineDash([4, 5]);
  ctx.beginPath();
  ctx.moveTo(px, area.top);
  ctx.lineTo(px, area.bottom);
  ctx.stroke();
  ctx.restore();
  const s = MARK_SIZE;
  const ty = above ? py - 14 : py + 14;
  const tip = pointsUp ? -1 : 1;
  ctx.fillStyle = colour;
  ctx.strokeStyle = palette.background;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(px, ty + tip * s);
  ctx.lineTo(px + s, ty - tip * s * 0.7);
  ctx.lineTo(px - s, ty - tip * s * 0.7);
  ctx.closePath();
  ctx.stroke();
  ctx.fill();
  if (!labelled) return undefined;
  ctx.font = font(TEXT.note, true);
  const text = formatPct(alert.change.pct);
  const t = measureText(ctx, text);
  // Stagger neighbouring labels so that close alerts do not print over each other.
  const stagger = (index % 2) * (TEXT.note + 4);
  const mark = { left: px - s, right: px + s, top: ty - s, bottom: ty + s };
  const box = markLabelBox(mark, t, area, above ? 'above' : 'below', 4 + stagger);
  // An edge of the background's colour keeps the label whole where a price line runs under it.
  ctx.save();
  ctx.strokeStyle = palette.background;
  ctx.lineWidth = LABEL_HALO;
  ctx.lineJoin = 'round';
  ctx.strokeText(text, box.left + t.dx, box.top + t.ascent);
  ctx.restore();
  ctx.fillText(text, box.left + t.dx, box.top + t.ascent);
  return box;
}

function ring(ctx: Ctx, x: number, y: number, r: number, fill: string, edge: string): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 3;
  ctx.strokeStyle = edge;
  ctx.stroke();
}

function drawHeader(ctx: Ctx, scene: Pick<Scene, 'palette' | 'header'> & { model?: ChartModel }): void {
  const { palette, header } = scene;
  const left = PAD.left;
  const right = CHART_WIDTH - PAD.right;
  const line1 = 14;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  const first = titleLine(ctx, header.title, header.change?.text ?? '', right - left);
  ctx.font = font(first.size, true);
  ctx.fillStyle = palette.text;
  ctx.fillText(first.title, left, line1);
  let x = left + (first.title ? ctx.measureText(first.title).width + TITLE_GAP : 0);
  if (header.change && first.change) {
    ctx.fillStyle = header.change.up ? palette.up : palette.down;
    ctx.fillText(first.change, x, line1);
    x += ctx.measureText(first.change).width;
  }
  if (header.price) {
    ctx.fillStyle = palette.text;
    const priceLeft = right - ctx.measureText(header.price).width;
    if (priceLeft > x + 20) ctx.fillText(header.price, priceLeft, line1);
  }

  ctx.font = font(TEXT.detail);
  ctx.fillStyle = palette.muted;
  ctx.fillText(fitParts(ctx, header.details, right - left), left, LINE2_Y);

  // A legend line when several price lines are drawn, main line first.
  const lines = scene.model?.lines ?? [];
  if (lines.length < 2) return;
  ctx.font = font(TEXT.note);
  const widths = lines.map((l) => LEGEND_SWATCH + ctx.measureText(l.label).width);
  const hidden = scene.model?.hiddenVenues ?? 0;
  const shown = legendEntries(widths, hidden, (n) => ctx.measureText(moreText(n)).width, right - left, LEGEND_SPACING);
  let lx = left;
  for (const [i, l] of lines.slice(0, shown).entries()) {
    ctx.fillStyle = l.color;
    ctx.fillRect(lx, LEGEND_Y + 8, 18, l.width + 1);
    ctx.fillStyle = palette.muted;
    ctx.fillText(l.label, lx + LEGEND_SWATCH, LEGEND_Y);
    lx += widths[i]! + LEGEND_SPACING;
  }
  const rest = hidden + lines.length - shown;
  if (rest > 0) {
    ctx.fillStyle = palette.muted;
    ctx.fillText(fitText(ctx, moreText(rest), right - lx), lx, LEGEND_Y);
  }
}

/** Legend entries: a swatch and its gap before the name; the space after each entry. */
const LEGEND_SWATCH = 26;
const LEGEND_SPACING = 18;

function moreText(n: number): string {
  return `+${n} more`;
}

/**
 * The header's first line (the pair's name, then the change) at the largest bold size from
 * TEXT.title down to MIN_TITLE_TEXT at which it fits `width`. At the smallest size the name is cut
 * short so that the change stays whole; the change is cut only when it alone is wider than `width`.
 */
function titleLine(ctx: TextMeasurer & { font: string }, title: string, change: string, width: number): { title: string; change: string; size: number } {
  const gap = change ? TITLE_GAP : 0;
  for (let size = TEXT.title; ; size -= 2) {
    ctx.font = font(size, true);
    const cw = ctx.measureText(change).width;
    if (ctx.measureText(title).width + gap + cw <= width) return { title, change, size };
    if (size - 2 < MIN_TITLE_TEXT) {
      const fitted = fitText(ctx, change, width);
      return { title: fitText(ctx, title, width - gap - ctx.measureText(fitted).width), change: fitted, size };
    }
  }
}

/** Joins the parts with ` · `, dropping from the end what does not fit, and cutting the first part short if it alone does not. */
function fitParts(ctx: Ctx, parts: readonly string[], maxWidth: number): string {
  for (let n = parts.length; n > 0; n--) {
    const s = parts.slice(0, n).join('  ·  ');
    if (ctx.measureText(s).width <= maxWidth) return s;
  }
  return fitText(ctx, parts[0] ?? '', maxWidth);
}

/** Text's measure at the context's font, for placing it in a box (see label-box.ts). */
interface MeasuredText extends Size {
  /** From the box's left edge to where the text is drawn with textAlign 'left'. */
  dx: number;
  /** From the box's top edge to the alphabetic baseline. */
  ascent: number;
}

/**
 * The box that `text` fills at the context's font: its advance or its ink, whichever is wider, by
 * the font's ascent and descent. Leaves the context aligned 'left' on the alphabetic baseline.
 */
function measureText(ctx: Ctx, text: string): MeasuredText {
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  const m = ctx.measureText(text);
  const dx = Math.max(0, m.actualBoundingBoxLeft);
  const ascent = Math.max(m.fontBoundingBoxAscent, m.actualBoundingBoxAscent);
  const descent = Math.max(m.fontBoundingBoxDescent, m.actualBoundingBoxDescent);
  return { width: Math.max(m.width, dx + m.actualBoundingBoxRight), height: ascent + descent, dx, ascent };
}
