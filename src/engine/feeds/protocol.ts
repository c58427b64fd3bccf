import type { Side } from '../core/types.js';
import type { VenueCapabilities } from './capabilities.js';

/** What one frame was, for counting; `malformed` and `unexpected` frames are also reported to drop(). */
export type FrameKind = 'trades' | 'ack' | 'heartbeat' | 'pong' | 'status' | 'error' | 'malformed' | 'unexpected';

/** Where a protocol's parser puts what it found. */
export interface ParseSink {
  /** One trade. `wire` is the venue's symbol as the frame carries it; the feed maps it back. */
  trade(wire: string, ts: number, price: number, qty: number, side: Side | undefined, id: string): void;
  /** A frame or a trade was dropped: `kind` names why (`json`, `bad_trade`, `unknown_symbol`, ...). */
  drop(kind: string, sample: string): void;
}

/**
 * One venue's WebSocket protocol: how to connect and subscribe, how to ping, how to read frames.
 * Pure functions over text, so that they are tested against recorded frames without a socket.
 */
export interface VenueProtocol {
  readonly caps: VenueCapabilities;
  /** The address to dial for a connection (the base URL from config or capabilities). */
  connectUrl(base: string): string;
  /** Messages to send once connected, for these wire symbols (at most maxSymbolsPerSubscribe each). */
  subscribeMessages(wires: readonly string[], nextId: () => number): string[];
  /** The application ping message, for venues whose `ping` is 'app'. */
  pingMessage?(nextId: () => number): string;
  /** Reads one frame, reports trades and drops to the sink, and says what the frame was. */
  parse(text: string, sink: ParseSink): FrameKind;
}

/** A decimal string or a number as a number; NaN for anything else (including ''). */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length > 0) return +v;
  return NaN;
}

/** Epoch ms from a venue timestamp: a number or numeric string in ms, or an ISO 8601 text. */
export function timeMs(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.length === 0) return NaN;
  const c = v.charCodeAt(0);
  if (c >= 48 && c <= 57 && v.indexOf('-') < 0) return +v;
  return Date.parse(v);
}

/** Parses JSON, reporting text that is not JSON as a `json` drop. */
export function parseJson(text: string, sink: ParseSink): unknown {
  try {
    return JSON.parse(text);
  } catch {
    sink.drop('json', text);
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reports one trade after checking its fields: a trade without a valid time, price or size is
 * dropped as `bad_trade` (it would poison the windows).
 */
export function emitTrade(sink: ParseSink, raw: unknown, wire: unknown, ts: number, price: number, qty: number, side: Side | undefined, id: unknown): void {
  if (typeof wire !== 'string' || !(ts > 0) || !(price > 0) || !(qty >= 0) || !Number.isFinite(price) || !Number.isFinite(qty)) {
    sink.drop('bad_trade', sample(raw));
    return;
  }
  sink.trade(wire, ts, price, qty, side, id === undefined || id === null ? '' : String(id));
}

/** Lower-case side names (`buy`, `Buy`, `BUY`) as a Side. */
export function sideOf(v: unknown): Side | undefined {
  if (typeof v !== 'string') return undefined;
  const c = v.charCodeAt(0) | 0x20;
  return c === 98 /* b */ ? 'buy' : c === 115 /* s */ ? 'sell' : undefined;
}

/** Splits a list into chunks of at most n. */
export function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const SAMPLE_CHARS = 200;

/** A short sample of a frame or value for a log line. */
export function sample(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > SAMPLE_CHARS ? `${s.slice(0, SAMPLE_CHARS)}…` : s;
}
