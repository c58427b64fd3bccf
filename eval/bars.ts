import { readRecords, type InputRecord } from '../src/cli/input/records.js';
import type { BarKind, BaselineBar } from './baselines.js';

/** Trades are folded into bars of this length for the baselines (the engine's default short bar). */
export const PRICE_BAR_MS = 1_000;

/** A labelled file as the baselines read it: its rows' times and the bars built from them. */
export interface BarInputFile {
  kind: BarKind;
  /** Time of every input row, epoch ms. */
  rowTs: Float64Array;
  bars: BaselineBar[];
  /** For each row, the newest bar closed by the time the row arrived (-1: none yet). */
  rowBar: Int32Array;
  /** Bar length: the median row spacing for series, PRICE_BAR_MS for trades. */
  barMs: number;
}

function isSeries(r: InputRecord): boolean {
  return r.kind === 'bar' && r.volume === 0 && r.open === r.close;
}

/**
 * Reads a file with the CLI's own reader. Series and klines rows are one bar each (series are
 * 'series', klines 'price'); trades are folded into PRICE_BAR_MS bars.
 */
export async function readBarInput(path: string): Promise<BarInputFile> {
  const rowTs: number[] = [];
  const rowBar: number[] = [];
  const bars: BaselineBar[] = [];
  let kind: BarKind | null = null;
  let open: BaselineBar | null = null;
  for await (const r of readRecords(path)) {
    if (kind === null) kind = isSeries(r) ? 'series' : 'price';
    rowTs.push(r.ts);
    if (r.kind === 'bar') {
      bars.push({ ts: r.ts, close: r.close, volume: r.quoteVolume });
      rowBar.push(bars.length - 1);
      continue;
    }
    const start = r.ts - (r.ts % PRICE_BAR_MS);
    if (open && start > open.ts) {
      bars.push(open);
      open = null;
    }
    if (!open) open = { ts: start, close: r.price, volume: 0 };
    if (start >= open.ts) {
      open.close = r.price;
      open.volume += r.price * r.qty;
    }
    rowBar.push(bars.length - 1);
  }
  if (open) bars.push(open);
  let barMs = PRICE_BAR_MS;
  if (kind === 'series' || (kind === 'price' && bars.length === rowTs.length)) {
    const d: number[] = [];
    for (let i = 1; i < Math.min(rowTs.length, 65); i++) if (rowTs[i] > rowTs[i - 1]) d.push(rowTs[i] - rowTs[i - 1]);
    d.sort((a, b) => a - b);
    barMs = d.length ? d[d.length >> 1] : 60_000;
  }
  return { kind: kind ?? 'series', rowTs: Float64Array.from(rowTs), bars, rowBar: Int32Array.from(rowBar), barMs };
}
