import { UserError, type AlertEvent, type Bar, type ChartTheme, type VenueSeries } from '../engine/index.js';
import type { Palette } from './theme.js';

/**
 * What a chart shows, computed from the request before any drawing: validated, gap-split and
 * downsampled series, the volume bars and the axis ranges. Pure, so it is tested without pixels.
 */

/** Missing bars longer than this many bar lengths are a gap, drawn as a break in the line. */
export const GAP_BARS = 3;
/** Most points in one price line: min-max pairs per bucket keep spikes while capping the work. */
export const MAX_LINE_POINTS = 1000;
/** Most volume bars: about 4 px each on the plot. */
export const MAX_VOLUME_BARS = 240;
/** Venue lines are drawn apart from the main line when one strays from it by more than this. */
export const VENUE_DISAGREE_FRACTION = 0.002;
/** Most venue lines drawn; the rest are named in the legend as `+N more`. */
export const MAX_VENUE_LINES = 8;
/** A chart spans at least this many bars, so that one bar or a short series is not a smear. */
export const MIN_SPAN_BARS = 12;
/** The price axis spans at least this fraction of the price, so that a flat line reads as flat. */
export const MIN_PRICE_SPAN_FRACTION = 0.001;
/** Room above and below the price data, as a fraction of its range. */
export const PRICE_PAD_FRACTION = 0.12;

/** Chart.js point: `y` null breaks the line (spanGaps is off). */
export interface Point {
  x: number;
  y: number | null;
}

export interface LineModel {
  label: string;
  color: string;
  width: number;
  points: Point[];
  /** Indices of points with no neighbour: drawn as dots, else one bar would be invisible. */
  isolated: number[];
}

export interface VolumeBar {
  /** Bucket start and end, ms. */
  from: number;
  to: number;
  value: number;
  up: boolean;
  /** The bucket holds the alert bar. */
  alert: boolean;
}

export interface ChartModel {
  symbol: string;
  /** Price lines, the main one (composite or alerting venue) first. */
  /** Venues with usable bars, the main one first. */
  venues: string[];
  lines: LineModel[];
  /** Venues not drawn because of MAX_VENUE_LINES. */
  hiddenVenues: number;
  volume: VolumeBar[];
  volumeMax: number;
  /** Whose volume the bars show. */
  volumeVenue: string;
  gaps: { from: number; to: number }[];
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Last close of the main line. */
  lastPrice: number;
  firstPrice: number;
  /** Bars left out because their price or time was not a finite positive number. */
  invalidBars: number;
}

export interface ModelInput {
  symbol: string;
  series: VenueSeries[];
  composite?: Bar[] | undefined;
  palette: Palette;
  /** The alert that the chart explains: its bar, window and price are kept in view. */
  alert?: AlertEvent | undefined;
  /** A fixed span ending at the last bar (on-demand charts). */
  rangeMs?: number | undefined;
  /** Force per-venue lines (the alert says the move is venue-specific). */
  venueSpecific?: boolean | undefined;
}

const THEMES: readonly ChartTheme[] = ['dark', 'light'];

/** Checks the parts of a request that the types cannot; throws a `bad_input` UserError. */
export function checkCommon(req: { series?: unknown; theme?: unknown; composite?: unknown } | undefined, what: string): asserts req {
  if (!req || typeof req !== 'object') throw new UserError('bad_input', `${what}: the request is missing`);
  if (!Array.isArray(req.series)) throw new UserError('bad_input', `${what}: series must be an array of venue series`);
  for (const [i, s] of (req.series as unknown[]).entries()) {
    const v = s as Partial<VenueSeries> | null;
    if (!v || typeof v.venue !== 'string' || !v.venue) throw new UserError('bad_input', `${what}: series[${i}] has no venue name`);
    if (!Array.isArray(v.bars)) throw new UserError('bad_input', `${what}: series[${i}] (${v.venue}) has no bars array`);
    if (typeof v.barMs !== 'number' || !Number.isFinite(v.barMs) || v.barMs <= 0) {
      throw new UserError('bad_input', `${what}: series[${i}] (${v.venue}) has bar length ${String(v.barMs)}; it must be a positive number of ms`);
    }
  }
  if (req.composite !== undefined && !Array.isArray(req.composite)) throw new UserError('bad_input', `${what}: composite must be an array of bars`);
  if (req.theme !== undefined && !THEMES.includes(req.theme as ChartTheme)) {
    throw new UserError('bad_input', `${what}: unknown theme "${String(req.theme)}"; use ${THEMES.join(' or ')}`);
  }
}

function usable(b: Bar): boolean {
  return Number.isFinite(b.ts) && Number.isFinite(b.close) && b.close > 0;
}

/** Usable bars in time order (a copy only when the input needs fixing). */
function cleanBars(bars: readonly Bar[]): { bars: Bar[]; invalid: number } {
  let invalid = 0;
  let sorted = true;
  let prev = -Infinity;
  for (const b of bars) {
    if (!usable(b)) invalid++;
    else if (b.ts < prev) sorted = false;
    else prev = b.ts;
  }
  if (invalid === 0 && sorted) return { bars: bars as Bar[], invalid };
  const out = bars.filter(usable);
  if (!sorted) out.sort((a, b) => a.ts - b.ts);
  return { bars: out, invalid };
}

/**
 * Close prices at bar close times, split at gaps and reduced to at most `maxPoints` by keeping the
 * lowest and highest close of each time bucket in their order.
 */
export function linePoints(bars: readonly Bar[], barMs: number, maxPoints = MAX_LINE_POINTS): Point[] {
  const out: Point[] = [];
  if (bars.length === 0) return out;
  const first = bars[0]!.ts;
  const spanBars = Math.max(1, (bars[bars.length - 1]!.ts - first) / barMs + 1);
  const perBucket = Math.max(1, Math.ceil((2 * spanBars) / maxPoints));
  const bucketMs = perBucket * barMs;
  let bucket = -1;
  let lo: Bar | undefined;
  let hi: Bar | undefined;
  const flush = () => {
    if (!lo || !hi) return;
    if (lo === hi) out.push({ x: lo.ts + barMs, y: lo.close });
    else {
      const [a, b] = lo.ts < hi.ts ? [lo, hi] : [hi, lo];
      out.push({ x: a.ts + barMs, y: a.close }, { x: b.ts + barMs, y: b.close });
    }
    lo = hi = undefined;
  };
  let prevTs = -Infinity;
  for (const b of bars) {
    if (b.ts - prevTs > GAP_BARS * barMs && prevTs !== -Infinity) {
      flush();
      out.push({ x: (prevTs + barMs + b.ts) / 2, y: null });
    }
    const k = perBucket === 1 ? b.ts : Math.floor((b.ts - first) / bucketMs);
    if (k !== bucket) {
      flush();
      bucket = k;
    }
    if (!lo || b.close < lo.close) lo = b;
    if (!hi || b.close > hi.close) hi = b;
    prevTs = b.ts;
  }
  flush();
  return out;
}

/** Stretches longer than GAP_BARS bars with no bar, as [end of last bar, start of next]. */
export function gapsOf(bars: readonly Bar[], barMs: number): { from: number; to: number }[] {
  const gaps: { from: number; to: number }[] = [];
  for (let i = 1; i < bars.length; i++) {
    const from = bars[i - 1]!.ts + barMs;
    if (bars[i]!.ts - bars[i - 1]!.ts > GAP_BARS * barMs) gaps.push({ from, to: bars[i]!.ts });
  }
  return gaps;
}

/** Quote volume summed into at most `maxBars` equal time buckets. */
export function volumeBars(bars: readonly Bar[], barMs: number, alertBarTs: number | undefined, maxBars = MAX_VOLUME_BARS): VolumeBar[] {
  const out: VolumeBar[] = [];
  if (bars.length === 0) return out;
  const first = bars[0]!.ts;
  const spanBars = (bars[bars.length - 1]!.ts - first) / barMs + 1;
  const bucketMs = Math.max(1, Math.ceil(spanBars / maxBars)) * barMs;
  let cur: (VolumeBar & { open: number }) | undefined;
  for (const b of bars) {
    const from = first + Math.floor((b.ts - first) / bucketMs) * bucketMs;
    if (!cur || cur.from !== from) {
      if (cur) out.push(finishBar(cur));
      cur = { from, to: from + bucketMs, value: 0, up: true, alert: false, open: Number.isFinite(b.open) && b.open > 0 ? b.open : b.close };
    }
    const qv = Number.isFinite(b.quoteVolume) && b.quoteVolume > 0 ? b.quoteVolume : Number.isFinite(b.volume) && b.volume > 0 ? b.volume * b.close : 0;
    cur.value += qv;
    cur.up = b.close >= cur.open;
    if (alertBarTs !== undefined && b.ts === alertBarTs) cur.alert = true;
  }
  if (cur) out.push(finishBar(cur));
  return out;
}

function finishBar(b: VolumeBar & { open: number }): VolumeBar {
  return { from: b.from, to: b.to, value: b.value, up: b.up, alert: b.alert };
}

/** Largest |close / reference - 1| over the bars both have. */
export function maxDeviation(bars: readonly Bar[], reference: ReadonlyMap<number, number>): number {
  let dev = 0;
  for (const b of bars) {
    const r = reference.get(b.ts);
    if (r === undefined) continue;
    const d = Math.abs(b.close / r - 1);
    if (d > dev) dev = d;
  }
  return dev;
}

function isolatedIndices(points: readonly Point[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    if (points[i]!.y === null) continue;
    const before = i > 0 && points[i - 1]!.y !== null;
    const after = i < points.length - 1 && points[i + 1]!.y !== null;
    if (!before && !after) out.push(i);
  }
  return out;
}

/** The chart's model, or undefined when no bar carries a usable price (an honest "no data" chart). */
export function buildModel(input: ModelInput): ChartModel | undefined {
  const { palette, alert } = input;
  let invalidBars = 0;
  const venues: { venue: string; barMs: number; bars: Bar[] }[] = [];
  for (const s of input.series) {
    const c = cleanBars(s.bars);
    invalidBars += c.invalid;
    if (c.bars.length > 0) venues.push({ venue: s.venue, barMs: s.barMs, bars: c.bars });
  }
  const composite = input.composite ? cleanBars(input.composite) : undefined;
  if (composite) invalidBars += composite.invalid;
  if (venues.length === 0 && !(composite && composite.bars.length > 0)) return undefined;

  const barMs = venues[0]?.barMs ?? input.series[0]?.barMs ?? 60_000;
  const compositeBars = composite && composite.bars.length > 0 ? composite.bars : undefined;
  const mainBars = compositeBars ?? venues[0]!.bars;
  const mainLabel = compositeBars ? (venues.length > 1 ? `median of ${venues.length} venues` : 'composite') : venues[0]!.venue;

  const reference = new Map<number, number>();
  for (const b of mainBars) reference.set(b.ts, b.close);
  const others = compositeBars ? venues : venues.slice(1);
  const disagree = others.length > 0 && (input.venueSpecific === true || others.some((v) => maxDeviation(v.bars, reference) > VENUE_DISAGREE_FRACTION));

  // The main line first: Chart.js draws the first dataset on top.
  const mainPoints = linePoints(mainBars, barMs);
  const lines: LineModel[] = [{ label: mainLabel, color: palette.price, width: 3, points: mainPoints, isolated: isolatedIndices(mainPoints) }];
  const drawn = disagree ? others.slice(0, MAX_VENUE_LINES) : [];
  drawn.forEach((v, i) => {
    const points = linePoints(v.bars, v.barMs);
    lines.push({ label: v.venue, color: palette.venues[i % palette.venues.length]!, width: 2, points, isolated: isolatedIndices(points) });
  });

  const volumeSource = venues[0] ?? { venue: mainLabel, barMs, bars: mainBars };
  const volume = volumeBars(volumeSource.bars, volumeSource.barMs, alert?.barTs);
  const volumeMax = volume.reduce((m, b) => Math.max(m, b.value), 0);

  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const v of [{ bars: mainBars, barMs }, ...drawn]) {
    xMin = Math.min(xMin, v.bars[0]!.ts);
    xMax = Math.max(xMax, v.bars[v.bars.length - 1]!.ts + v.barMs);
  }
  for (const l of lines) {
    for (const p of l.points) {
      if (p.y === null) continue;
      if (p.y < yMin) yMin = p.y;
      if (p.y > yMax) yMax = p.y;
    }
  }
  if (alert) {
    xMax = Math.max(xMax, alert.ts);
    for (const y of [alert.price, alert.change.fromPrice]) {
      if (Number.isFinite(y) && y > 0) {
        yMin = Math.min(yMin, y);
        yMax = Math.max(yMax, y);
      }
    }
  }
  if (input.rangeMs !== undefined) xMin = Math.min(xMin, xMax - input.rangeMs);
  const minSpan = MIN_SPAN_BARS * barMs;
  if (xMax - xMin < minSpan) {
    const extra = (minSpan - (xMax - xMin)) / 2;
    xMin -= extra;
    xMax += extra;
  }
  const mid = (yMin + yMax) / 2;
  const pad = Math.max((yMax - yMin) * PRICE_PAD_FRACTION, (Math.abs(mid) * MIN_PRICE_SPAN_FRACTION) / 2);

  return {
    symbol: input.symbol,
    venues: compositeBars && venues.length === 0 ? [mainLabel] : venues.map((v) => v.venue),
    lines,
    hiddenVenues: disagree ? others.length - drawn.length : 0,
    volume,
    volumeMax,
    volumeVenue: volumeSource.venue,
    gaps: gapsOf(mainBars, barMs),
    xMin,
    xMax,
    yMin: yMin - pad,
    yMax: yMax + pad,
    lastPrice: mainBars[mainBars.length - 1]!.close,
    firstPrice: mainBars[0]!.close,
    invalidBars,
  };
}
