// Before the canvas library loads: it reads its allocator settings once, then.
import './native-memory.js';
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import {
  UserError,
  formatChange,
  formatDuration,
  formatPct,
  formatPrice,
  formatScore,
  type AlertChartRequest,
  type AlertEvent,
  type ChartPort,
  type RangeChartRequest,
} from '../engine/index.js';
import { CHART_HEIGHT, CHART_WIDTH, drawNoData, registerChartJs, ScenePainter, type ChartLayout, type HeaderText } from './chart.js';
import { registerChartFonts } from './fonts.js';
import { groupThousands } from './format.js';
import { buildModel, checkCommon, type ChartModel } from './model.js';
import { PNG_DEFLATE_LEVEL, PngEncoder } from './png.js';
import { paletteFor } from './theme.js';
import { ZoneClocks, type ZoneClock } from './time-axis.js';

const MINUTE = 60_000;

/** The ranges `/chart PAIR RANGE` accepts. */
export const CHART_RANGES: Readonly<Record<string, number>> = {
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '24h': 1440 * MINUTE,
  '7d': 7 * 1440 * MINUTE,
};

/** Venues named one by one in the header; more are counted. */
const MAX_NAMED_VENUES = 3;

export interface RenderedChart {
  png: Uint8Array;
  /** Where the plot and the anomaly window landed; undefined for a "no data" chart. */
  layout: ChartLayout | undefined;
}

export interface ChartRendererOptions {
  /** Folder holding the chart fonts; found beside the package when absent. */
  fontDir?: string | undefined;
  /** zlib level of the PNGs: fast by default; 9 for files that are kept (the gallery). */
  pngLevel?: number | undefined;
}

/** The length of a range name, or a `bad_input` UserError that lists the valid ones. */
export function rangeMs(range: string): number {
  const ms = Object.hasOwn(CHART_RANGES, range) ? CHART_RANGES[range] : undefined;
  if (ms === undefined) throw new UserError('bad_input', `unknown chart range "${range}": use one of ${Object.keys(CHART_RANGES).join(', ')}`, { range });
  return ms;
}

/**
 * Draws charts in the calling thread: for scripts, tests and the worker threads of RenderPool.
 * A service that must not block uses RenderPool. One instance draws one chart at a time (it
 * reuses its canvas).
 */
export class ChartRenderer implements ChartPort {
  private readonly canvas: Canvas;
  private readonly painter: ScenePainter;
  private readonly zones = new ZoneClocks();
  private readonly png: PngEncoder;

  constructor(opts: ChartRendererOptions = {}) {
    this.png = new PngEncoder(opts.pngLevel ?? PNG_DEFLATE_LEVEL);
    registerChartFonts(opts.fontDir);
    registerChartJs();
    this.canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
    this.painter = new ScenePainter(this.canvas);
  }

  renderAlert(req: AlertChartRequest): Promise<Uint8Array> {
    return settle(() => this.drawAlert(req).png);
  }

  renderRange(req: RangeChartRequest): Promise<Uint8Array> {
    return settle(() => this.drawRange(req).png);
  }

  drawAlert(req: AlertChartRequest): RenderedChart {
    checkCommon(req, 'alert chart');
    const alert = checkAlert(req.alert, 'alert chart');
    const zone = this.zones.get(req.timeZone);
    const palette = paletteFor(req.theme);
    const model = buildModel({
      symbol: alert.symbol,
      series: req.series,
      composite: req.composite,
      palette,
      alert,
      venueSpecific: alert.consensus?.kind === 'venue-specific',
    });
    const up = alert.direction !== 'down';
    const header: HeaderText = {
      title: alert.symbol,
      change: { text: `${up ? '▲' : '▼'} ${formatChange(alert.change)}`, up },
      price: groupThousands(formatPrice(alert.price)),
      details: [
        venueText(model?.venues ?? [alert.venue]),
        `score ${formatScore(alert.score)}`,
        zone.stamp(alert.ts),
        ...(alert.consensus ? [consensusText(alert)] : []),
        ...(alert.late ? ['found after a feed gap'] : []),
      ],
    };
    if (!model) return this.noData(req.theme, header, 'No price data around this alert');
    const { layout, captured: png } = this.painter.draw({ model, palette, zone, header, alert, calloutText: formatChange(alert.change) }, () => this.encode());
    return { png, layout };
  }

  drawRange(req: RangeChartRequest): RenderedChart {
    checkCommon(req, 'range chart');
    if (typeof req.symbol !== 'string' || !req.symbol) throw new UserError('bad_input', 'range chart: symbol is missing');
    const span = rangeMs(req.range);
    if (!Array.isArray(req.alerts)) throw new UserError('bad_input', 'range chart: alerts must be an array (empty when there are none)');
    const marks = req.alerts.filter((a) => a && Number.isFinite(a.ts) && Number.isFinite(a.price) && a.price > 0 && a.change && Number.isFinite(a.change.pct));
    const zone = this.zones.get(req.timeZone);
    const palette = paletteFor(req.theme);
    const model = buildModel({ symbol: req.symbol, series: req.series, composite: req.composite, palette, rangeMs: span });
    if (!model) {
      const header: HeaderText = { title: `${req.symbol}  ${req.range}`, details: [venueText(req.series.map((s) => s.venue)), zone.timeZone] };
      return this.noData(req.theme, header, `No price data for ${req.symbol} in the last ${formatDuration(span)}`);
    }
    const pct = (model.lastPrice / model.firstPrice - 1) * 100;
    const header: HeaderText = {
      title: `${req.symbol}  ${req.range}`,
      change: { text: `${pct >= 0 ? '▲' : '▼'} ${formatPct(pct)}`, up: pct >= 0 },
      price: groupThousands(formatPrice(model.lastPrice)),
      details: [venueText(model.venues), spanText(model, zone), ...(marks.length ? [`${marks.length} alert${marks.length === 1 ? '' : 's'}`] : [])],
    };
    const { layout, captured: png } = this.painter.draw({ model, palette, zone, header, marks }, () => this.encode());
    return { png, layout };
  }

  private noData(theme: AlertChartRequest['theme'], header: HeaderText, message: string): RenderedChart {
    drawNoData(this.canvas, paletteFor(theme), header, message);
    return { png: this.encode(), layout: undefined };
  }

  private encode(): Uint8Array {
    const ctx = this.canvas.getContext('2d');
    return this.png.encode(ctx.getImageData(0, 0, CHART_WIDTH, CHART_HEIGHT).data, CHART_WIDTH, CHART_HEIGHT);
  }
}

function settle<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

function checkAlert(a: AlertEvent | undefined, what: string): AlertEvent {
  const bad = (m: string) => new UserError('bad_input', `${what}: ${m}`);
  if (!a || typeof a !== 'object') throw bad('the alert is missing');
  if (typeof a.symbol !== 'string' || !a.symbol) throw bad('the alert has no symbol');
  if (!Number.isFinite(a.ts)) throw bad(`the alert time ${String(a.ts)} is not a number`);
  if (!Number.isFinite(a.price)) throw bad(`the alert price ${String(a.price)} is not a number`);
  if (!a.change || !Number.isFinite(a.change.pct) || !Number.isFinite(a.change.fromTs) || !Number.isFinite(a.change.windowMs)) {
    throw bad('the alert has no price change (pct, fromTs, windowMs)');
  }
  if (!Number.isFinite(a.score)) throw bad(`the alert score ${String(a.score)} is not a number`);
  return a;
}

function venueText(venues: readonly string[]): string {
  if (venues.length === 0) return 'no venue';
  if (venues.length <= MAX_NAMED_VENUES) return venues.join(', ');
  return `${venues.slice(0, MAX_NAMED_VENUES - 1).join(', ')} +${venues.length - MAX_NAMED_VENUES + 1} venues`;
}

function consensusText(a: AlertEvent): string {
  const c = a.consensus!;
  return c.kind === 'market-wide' ? `market-wide (${c.confirming.length}/${c.fresh.length} venues)` : `${a.venue} only`;
}

function spanText(model: ChartModel, zone: ZoneClock): string {
  const from = `${zone.date(model.xMin)} ${zone.clock(model.xMin, false)}`;
  const sameDay = zone.dayKey(model.xMin) === zone.dayKey(model.xMax);
  const to = sameDay ? zone.clock(model.xMax, false) : `${zone.date(model.xMax)} ${zone.clock(model.xMax, false)}`;
  return `${from} – ${to} ${zone.timeZone}`;
}
