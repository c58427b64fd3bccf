import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
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

/**
 * Streams a file's rows as records, in constant memory. Throws InputError (file, line, what is
 * wrong) at the first bad row.
 */
export async function* readRecords(path: string, format?: InputFormat): AsyncGenerator<InputRecord> {
  const src = path;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let fmt: InputFormat | null = format ?? null;
  let header: string[] | null = null;
  let idx: Record<string, number> = {};
  let lineNo = 0;
  try {
    for await (const rawLine of rl) {
      lineNo++;
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (fmt === null) {
        fmt = detectFormat(line);
        if (fmt === null) {
          throw new InputError(`cannot tell the format from the first line; expected a CSV header with timestamp and price (trades), open_time/open/high/low/close (klines), timestamp and value (series), or NDJSON ticks; use --format`, src, lineNo);
        }
      }
      if (fmt === 'ndjson') {
        yield ndjsonRecord(line, src, lineNo);
        continue;
      }
      const cols = splitCsv(line);
      if (header === null) {
        const lower = cols.map((c) => c.trim().toLowerCase());
        const numericFirst = lower.length > 0 && Number.isFinite(Number(lower[0])) && lower[0] !== '';
        if (fmt === 'klines' && numericFirst) {
          header = ['open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_volume', 'trades', 'taker_buy_volume'];
        } else {
          header = lower;
          idx = Object.fromEntries(header.map((h, i) => [h, i]));
          checkHeader(fmt, idx, src, lineNo);
          continue;
        }
        idx = Object.fromEntries(header.map((h, i) => [h, i]));
      }
      yield csvRecord(fmt, cols, idx, line, src, lineNo);
    }
  } finally {
    rl.close();
  }
}

function checkHeader(fmt: InputFormat, idx: Record<string, number>, src: string, line: number): void {
  const has = (names: string[]) => names.some((n) => n in idx);
  if (fmt === 'trades' && (!has(TS_COLUMNS) || !('price' in idx))) throw new InputError('a trades CSV needs a timestamp column and a price column', src, line);
  if (fmt === 'series' && (!has(TS_COLUMNS) || !('value' in idx))) throw new InputError('a series CSV needs timestamp and value columns', src, line);
  if (fmt === 'klines' && !['open', 'high', 'low', 'close'].every((c) => c in idx)) throw new InputError('a klines CSV needs open, high, low and close columns', src, line);
}

function col(cols: string[], idx: Record<string, number>, names: string[]): string | undefined {
  for (const n of names) if (n in idx) return cols[idx[n]];
  return undefined;
}

function csvRecord(fmt: InputFormat, cols: string[], idx: Record<string, number>, line: string, src: string, lineNo: number): InputRecord {
  const rawTs = (col(cols, idx, fmt === 'klines' ? ['open_time', ...TS_COLUMNS] : TS_COLUMNS) ?? '').trim();
  const ts = time(rawTs, src, lineNo);
  if (fmt === 'series') {
    const v = num(col(cols, idx, ['value']), 'value', src, lineNo);
    return { kind: 'bar', line: lineNo, rawTs, ts, open: v, high: v, low: v, close: v, volume: 0, quoteVolume: 0, trades: 1, buyVolume: 0 };
  }
  if (fmt === 'klines') {
    const open = num(col(cols, idx, ['open']), 'open', src, lineNo);
    const high = num(col(cols, idx, ['high']), 'high', src, lineNo);
    const low = num(col(cols, idx, ['low']), 'low', src, lineNo);
    const close = num(col(cols, idx, ['close']), 'close', src, lineNo);
    if (high < low) throw new InputError(`high ${high} is below low ${low}`, src, lineNo);
    const vRaw = col(cols, idx, ['volume']);
    const volume = vRaw === undefined || vRaw === '' ? 0 : num(vRaw, 'volume', src, lineNo);
    const qRaw = col(cols, idx, ['quote_volume', 'quote_asset_volume']);
    const quoteVolume = qRaw === undefined || qRaw === '' ? volume * close : num(qRaw, 'quote_volume', src, lineNo);
    const tRaw = col(cols, idx, ['trades', 'count', 'number_of_trades']);
    const trades = tRaw === undefined || tRaw === '' ? 1 : Math.max(1, Math.round(num(tRaw, 'trades', src, lineNo)));
    const bRaw = col(cols, idx, ['taker_buy_volume', 'taker_buy_base_asset_volume']);
    const buyVolume = bRaw === undefined || bRaw === '' ? 0 : num(bRaw, 'taker_buy_volume', src, lineNo);
    return { kind: 'bar', line: lineNo, rawTs, ts, open, high, low, close, volume, quoteVolume, trades, buyVolume };
  }
  const price = num(col(cols, idx, ['price']), 'price', src, lineNo);
  const qRaw = col(cols, idx, QTY_COLUMNS);
  const qty = qRaw === undefined || qRaw.trim() === '' ? 0 : num(qRaw, 'amount', src, lineNo);
  const sRaw = col(cols, idx, ['side'])?.trim().toLowerCase();
  const side = sRaw ? SIDES[sRaw] : undefined;
  if (sRaw && !side) throw new InputError(`side must be buy or sell, got ${JSON.stringify(sRaw)}`, src, lineNo);
  const symbol = col(cols, idx, ['symbol', 'pair'])?.trim() || undefined;
  const venue = col(cols, idx, ['venue', 'exchange'])?.trim() || undefined;
  const id = col(cols, idx, ['id', 'trade_id'])?.trim() || undefined;
  void line;
  return { kind: 'tick', line: lineNo, rawTs, ts, price, qty, side, symbol, venue, id };
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
