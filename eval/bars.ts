import { readRecords, type InputRecord } from '../src/cli/input/records.js';
import type { BarKind, BaselineBar } from './baselines.js';

/** Trades are folded into bars of this length for the baselines (the engine's default short bar). */
export const PRICE_BAR_MS = 1_000;

/** One venue's bars (the venue is '' for files that name none). */
export interface VenueBars {
  venue: string;
  bars: BaselineBar[];
}

/** A labelled file as the baselines read it: its rows' times and the bars built from them. */
export interface BarInputFile {
  kind: BarKind;
  /** Time of every input row, epoch ms. */
  rowTs: Float64Array;
  /** One bar stream per venue, in the order the file first names them (one for most files). */
  streams: VenueBars[];
  /** The first stream's bars: the whole file unless it holds trades of several venues. */
  bars: BaselineBar[];
  /** For each row, its stream (an index into `streams`). */
  rowStream: Int32Array;
  /** For each row, the newest bar of its stream closed by the time the row arrived (-1: none yet). */
  rowBar: Int32Array;
  /** Bar length: the median row spacing for series, PRICE_BAR_MS for trades. */
  barMs: number;
}

function isSeries(r: InputRecord): boolean {
  return r.kind === 'bar' && r.volume === 0 && r.open === r.close;
}

interface Builder {
  out: VenueBars;
  open: BaselineBar | null;
}

/**
 * Reads a file with the CLI's own reader. Series and klines rows are one bar each (series are
 * 'series', klines 'price'); trades are folded into PRICE_BAR_MS bars, one bar stream per venue
 * (the baselines, like the engine, judge each venue on its own).
 */
export async function readBarInput(path: string): Promise<BarInputFile> {
  const rowTs: number[] = [];
  const rowStream: number[] = [];
  const rowBar: number[] = [];
  const builders: Builder[] = [];
  const byVenue = new Map<string, number>();
  let kind: BarKind | null = null;
  for await (const r of readRecords(path)) {
    if (kind === null) kind = isSeries(r) ? 'series' : 'price';
    rowTs.push(r.ts);
    const venue = (r.kind === 'tick' ? r.venue : undefined) ?? '';
    let k = byVenue.get(venue);
    if (k === undefined) {
      k = builders.length;
      byVenue.set(venue, k);
      builders.push({ out: { venue, bars: [] }, open: null });
    }
    const b = builders[k];
    const bars = b.out.bars;
    rowStream.push(k);
    if (r.kind === 'bar') {
      bars.push({ ts: r.ts, close: r.close, volume: r.quoteVolume });
      rowBar.push(bars.length - 1);
      continue;
    }
    const start = r.ts - (r.ts % PRICE_BAR_MS);
    if (b.open && start > b.open.ts) {
      bars.push(b.open);
      b.open = null;
    }
    if (!b.open) b.open = { ts: start, close: r.price, volume: 0 };
    if (start >= b.open.ts) {
      b.open.close = r.price;
      b.open.volume += r.price * r.qty;
    }
    rowBar.push(bars.length - 1);
  }
  for (const b of builders) if (b.open) b.out.bars.push(b.open);
  const streams = builders.map((b) => b.out);
  const first = streams[0]?.bars ?? [];
  let barMs = PRICE_BAR_MS;
  if (kind === 'series' || (kind === 'price' && streams.length === 1 && first.length === rowTs.length)) {
    const d: number[] = [];
    for (let i = 1; i < Math.min(rowTs.length, 65); i++) if (rowTs[i] > rowTs[i - 1]) d.push(rowTs[i] - rowTs[i - 1]);
    d.sort((a, b) => a - b);
    barMs = d.length ? d[d.length >> 1] : 60_000;
  }
  return { kind: kind ?? 'series', rowTs: Float64Array.from(rowTs), streams, bars: first, rowStream: Int32Array.from(rowStream), rowBar: Int32Array.from(rowBar), barMs };
}
