import { createReadStream } from 'node:fs';
import { InputError } from '../../engine/core/errors.js';
import type { Side } from '../../engine/core/types.js';

export type InputFormat = 'trades' | 'klines' | 'ndjson' | 'series';
export const INPUT_FORMATS: readonly InputFormat[] = ['trades', 'klines', 'ndjson', 'series'];

/** One input row, normalised. `raw` keeps the row's own timestamp text for output. */
export type InputRecord =
  | { kind: 'tick'; line: number; rawTs: string; ts: number; price: number; qty: number; side?: Side; symbol?: string; venue?: string; id?: string | number }
  | { kind: 'bar'; line: number; rawTs: string; ts: number; open: number; high: number; low: number; close: number; volume: number; quoteVolume: number; trades: number; buyVolume: number };

/** Epoch ms from epoch seconds, ms or µs (by magnitude), or an ISO 8601 / `YYYY-MM-DD hh:mm:ss` text (UTC unless it says otherwise). */
export function parseTimestamp(s: string): number {
  const t = s.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    if (n >= 1e17) return Math.floor(n / 1e6); // ns
    if (n >= 1e14) return Math.floor(n / 1e3); // µs
    if (n >= 1e11) return Math.floor(n); // ms
    return Math.floor(n * 1000); // s
  }
  let iso = t.includes('T') ? t : t.replace(' ', 'T');
  if (!/[zZ]|[+-]\d\d:?\d\d$/.test(iso)) iso += 'Z';
  const ms = Date.parse(iso);
  return ms;
}

const SIDES: Record<string, Side> = { buy: 'buy', b: 'buy', bid: 'buy', sell: 'sell', s: 'sell', ask: 'sell' };

function num(v: string | undefined, what: string, src: string, line: number): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n)) throw new InputError(`${what} is not a number: ${JSON.stringify(v ?? '')}`, src, line);
  return n;
}

function time(v: string | undefined, src: string, line: number): number {
  const ts = v === undefined ? NaN : parseTimestamp(v);
  if (!Number.isFinite(ts)) throw new InputError(`timestamp is not epoch time or ISO 8601: ${JSON.stringify(v ?? '')}`, src, line);
  return ts;
}

function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Guesses the format from the first line of the file. */
export function detectFormat(first: string): InputFormat | null {
  const t = first.trim();
  if (t.startsWith('{')) return 'ndjson';
  const cols = splitCsv(t).map((c) => c.trim().toLowerCase());
  if (cols.includes('open_time') || ['open', 'high', 'low', 'close'].every((c) => cols.includes(c))) return 'klines';
  if (cols.includes('price')) return 'trades';
  if (cols.includes('timestamp') && cols.includes('value')) return 'series';
  if (cols.length >= 6 && cols.slice(0, 6).every((c) => c !== '' && Number.isFinite(Number(c)))) return 'klines';
  return null;
}

const QTY_COLUMNS = ['amount', 'qty', 'quantity', 'volume', 'size'];
const TS_COLUMNS = ['timestamp', 'time', 'ts', 'date', 'datetime'];

/** Bytes read from the file at a time; a batch of records is every complete line in a chunk. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Streams a file's rows as batches of records, in constant memory (one chunk of the file at a
 * time). Throws InputError (file, line, what is wrong) at the first bad row.
 */
export async function* readRecordBatches(path: string, format?: InputFormat): AsyncGenerator<InputRecord[]> {
  const src = path;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  let fmt: InputFormat | null = format ?? null;
  let parse: ((cols: string[], line: number) => InputRecord) | null = null;
  let lineNo = 0;
  let rest = '';
  const take = (rawLine: string, out: InputRecord[]) => {
    lineNo++;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    if (fmt === null) {
      fmt = detectFormat(line);
      if (fmt === null) {
        throw new InputError(`cannot tell the format from the first line; expected a CSV header with timestamp and price (trades), open_time/open/high/low/close (klines), timestamp and value (series), or NDJSON ticks; use --format`, src, lineNo);
      }
    }
    if (fmt === 'ndjson') {
      out.push(ndjsonRecord(line, src, lineNo));
      return;
    }
    const cols = splitCsv(line);
    if (parse === null) {
      const lower = cols.map((c) => c.trim().toLowerCase());
      const numericFirst = lower.length > 0 && lower[0] !== '' && Number.isFinite(Number(lower[0]));
      if (fmt === 'klines' && numericFirst) {
        parse = rowParser(fmt, KLINE_COLUMNS, src);
      } else {
        parse = rowParser(fmt, lower, src);
        checkHeader(fmt, Object.fromEntries(lower.map((h, i) => [h, i])), src, lineNo);
        return;
      }
    }
    out.push(parse(cols, lineNo));
  };
  try {
    for await (const chunk of stream) {
      const text = rest + (chunk as string);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      const out: InputRecord[] = [];
      for (const l of lines) take(l.endsWith('\r') ? l.slice(0, -1) : l, out);
      if (out.length) yield out;
    }
    if (rest !== '') {
      const out: InputRecord[] = [];
      take(rest, out);
      if (out.length) yield out;
    }
  } finally {
    stream.destroy();
  }
}

/** Record by record (tests and small tools); readRecordBatches is the fast path. */
export async function* readRecords(path: string, format?: InputFormat): AsyncGenerator<InputRecord> {
  for await (const batch of readRecordBatches(path, format)) yield* batch;
}

const KLINE_COLUMNS = ['open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_volume', 'trades', 'taker_buy_volume'];

function checkHeader(fmt: InputFormat, idx: Record<string, number>, src: string, line: number): void {
  const has = (names: string[]) => names.some((n) => n in idx);
  if (fmt === 'trades' && (!has(TS_COLUMNS) || !('price' in idx))) throw new InputError('a trades CSV needs a timestamp column and a price column', src, line);
  if (fmt === 'series' && (!has(TS_COLUMNS) || !('value' in idx))) throw new InputError('a series CSV needs timestamp and value columns', src, line);
  if (fmt === 'klines' && !['open', 'high', 'low', 'close'].every((c) => c in idx)) throw new InputError('a klines CSV needs open, high, low and close columns', src, line);
}

/** Index of the first of `names` in the header, or -1. */
function indexOf(header: string[], names: string[]): number {
  for (const n of names) {
    const i = header.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

/** Compiles a header into a row parser: column positions are looked up once, not per row. */
function rowParser(fmt: InputFormat, header: string[], src: string): (cols: string[], line: number) => InputRecord {
  const at = (names: string[]) => indexOf(header, names);
  const get = (cols: string[], i: number) => (i >= 0 ? cols[i] : undefined);
  const iTs = at(fmt === 'klines' ? ['open_time', ...TS_COLUMNS] : TS_COLUMNS);
  if (fmt === 'series') {
    const iV = at(['value']);
    return (cols, line) => {
      const rawTs = (get(cols, iTs) ?? '').trim();
      const ts = time(rawTs, src, line);
      const v = num(get(cols, iV), 'value', src, line);
      return { kind: 'bar', line, rawTs, ts, open: v, high: v, low: v, close: v, volume: 0, quoteVolume: 0, trades: 1, buyVolume: 0 };
    };
  }
  if (fmt === 'klines') {
    const [iO, iH, iL, iC, iVol] = [at(['open']), at(['high']), at(['low']), at(['close']), at(['volume'])];
    const iQ = at(['quote_volume', 'quote_asset_volume']);
    const iN = at(['trades', 'count', 'number_of_trades']);
    const iB = at(['taker_buy_volume', 'taker_buy_base_asset_volume']);
    const opt = (cols: string[], i: number, what: string, line: number, dflt: number) => {
      const v = get(cols, i);
      return v === undefined || v === '' ? dflt : num(v, what, src, line);
    };
    return (cols, line) => {
      const rawTs = (get(cols, iTs) ?? '').trim();
      const ts = time(rawTs, src, line);
      const open = num(get(cols, iO), 'open', src, line);
      const high = num(get(cols, iH), 'high', src, line);
      const low = num(get(cols, iL), 'low', src, line);
      const close = num(get(cols, iC), 'close', src, line);
      if (high < low) throw new InputError(`high ${high} is below low ${low}`, src, line);
      const volume = opt(cols, iVol, 'volume', line, 0);
      const quoteVolume = opt(cols, iQ, 'quote_volume', line, volume * close);
      const trades = Math.max(1, Math.round(opt(cols, iN, 'trades', line, 1)));
      const buyVolume = opt(cols, iB, 'taker_buy_volume', line, 0);
      return { kind: 'bar', line, rawTs, ts, open, high, low, close, volume, quoteVolume, trades, buyVolume };
    };
  }
  const [iP, iQty, iSide, iSym, iVenue, iId] = [at(['price']), at(QTY_COLUMNS), at(['side']), at(['symbol', 'pair']), at(['venue', 'exchange']), at(['id', 'trade_id'])];
  return (cols, line) => {
    const rawTs = (get(cols, iTs) ?? '').trim();
    const ts = time(rawTs, src, line);
    const price = num(get(cols, iP), 'price', src, line);
    const qRaw = get(cols, iQty);
    const qty = qRaw === undefined || qRaw.trim() === '' ? 0 : num(qRaw, 'amount', src, line);
    const sRaw = get(cols, iSide)?.trim().toLowerCase();
    const side = sRaw ? SIDES[sRaw] : undefined;
    if (sRaw && !side) throw new InputError(`side must be buy or sell, got ${JSON.stringify(sRaw)}`, src, line);
    const symbol = get(cols, iSym)?.trim() || undefined;
    const venue = get(cols, iVenue)?.trim() || undefined;
    const id = get(cols, iId)?.trim() || undefined;
    return { kind: 'tick', line, rawTs, ts, price, qty, side, symbol, venue, id };
  };
}

function ndjsonRecord(line: string, src: string, lineNo: number): InputRecord {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw new InputError('not valid JSON', src, lineNo);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InputError('expected a JSON object per line', src, lineNo);
  const r = o as Record<string, unknown>;
  const tsv = r.ts ?? r.timestamp ?? r.time;
  const rawTs = typeof tsv === 'number' || typeof tsv === 'string' ? String(tsv) : '';
  const ts = time(rawTs, src, lineNo);
  const price = num(r.price === undefined ? undefined : String(r.price), 'price', src, lineNo);
  const q = r.qty ?? r.amount ?? r.volume ?? r.size;
  const qty = q === undefined || q === null ? 0 : num(String(q), 'qty', src, lineNo);
  const sRaw = typeof r.side === 'string' ? r.side.toLowerCase() : undefined;
  const side = sRaw ? SIDES[sRaw] : undefined;
  if (sRaw && !side) throw new InputError(`side must be buy or sell, got ${JSON.stringify(r.side)}`, src, lineNo);
  const symbol = typeof r.symbol === 'string' ? r.symbol : undefined;
  const venue = typeof r.venue === 'string' ? r.venue : undefined;
  const id = typeof r.id === 'string' || typeof r.id === 'number' ? r.id : undefined;
  return { kind: 'tick', line: lineNo, rawTs, ts, price, qty, side, symbol, venue, id };
}
