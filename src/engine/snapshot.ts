import { parseStreamId, streamId, type Bar, type StreamKey } from './core/types.js';
import type { Engine } from './engine.js';
import type { SnapshotSource } from './services/snapshots.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { WindowSnapshot } from './ports/store.js';

/**
 * Format version; a snapshot of an unknown version is not restored (the feeds backfill instead).
 * Version 2 adds the time the snapshot was taken; version 1 (no such time) is still read.
 */
const VERSION = 2;
const V1 = 1;
const HEADER_BYTES = 24;
const V1_HEADER_BYTES = 16;
/** ts, open, high, low, close as Float64; volume, quoteVolume, buyVolume, sellVolume as Float32; trades as Uint32. */
const BAR_BYTES = 5 * 8 + 4 * 4 + 4;

function writeBars(view: DataView, at: number, bars: readonly Bar[]): number {
  for (const b of bars) {
    view.setFloat64(at, b.ts, true);
    view.setFloat64(at + 8, b.open, true);
    view.setFloat64(at + 16, b.high, true);
    view.setFloat64(at + 24, b.low, true);
    view.setFloat64(at + 32, b.close, true);
    view.setFloat32(at + 40, b.volume, true);
    view.setFloat32(at + 44, b.quoteVolume, true);
    view.setFloat32(at + 48, b.buyVolume, true);
    view.setFloat32(at + 52, b.sellVolume, true);
    view.setUint32(at + 56, b.trades, true);
    at += BAR_BYTES;
  }
  return at;
}

function readBars(view: DataView, at: number, n: number): Bar[] {
  const out: Bar[] = [];
  for (let i = 0; i < n; i++, at += BAR_BYTES) {
    out.push({
      ts: view.getFloat64(at, true),
      open: view.getFloat64(at + 8, true),
      high: view.getFloat64(at + 16, true),
      low: view.getFloat64(at + 24, true),
      close: view.getFloat64(at + 32, true),
      volume: view.getFloat32(at + 40, true),
      quoteVolume: view.getFloat32(at + 44, true),
      buyVolume: view.getFloat32(at + 48, true),
      sellVolume: view.getFloat32(at + 52, true),
      trades: view.getUint32(at + 56, true),
    });
  }
  return out;
}

/**
 * Serialises a stream's closed bars (short and long rings) and when they were taken (`savedAt`,
 * epoch ms: a stream that has not traded since its newest bar is still up to date as of then):
 * 24 bytes of header, 60 bytes a bar.
 */
export function encodeWindows(short: readonly Bar[], long: readonly Bar[], shortBarMs: number, savedAt: number): Uint8Array {
  const buf = new Uint8Array(HEADER_BYTES + (short.length + long.length) * BAR_BYTES);
  const view = new DataView(buf.buffer);
  view.setUint8(0, VERSION);
  view.setUint32(4, short.length, true);
  view.setUint32(8, long.length, true);
  view.setUint32(12, shortBarMs, true);
  view.setFloat64(16, savedAt, true);
  writeBars(view, writeBars(view, HEADER_BYTES, short), long);
  return buf;
}

export interface DecodedWindows {
  short: Bar[];
  long: Bar[];
  shortBarMs: number;
  /** When the snapshot was taken; NaN for a version 1 snapshot, which did not say. */
  savedAt: number;
}

export function decodeWindows(data: Uint8Array): DecodedWindows | null {
  if (data.byteLength < V1_HEADER_BYTES) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version !== VERSION && version !== V1) return null;
  const header = version === V1 ? V1_HEADER_BYTES : HEADER_BYTES;
  const ns = view.getUint32(4, true);
  const nl = view.getUint32(8, true);
  if (data.byteLength !== header + (ns + nl) * BAR_BYTES) return null;
  const short = readBars(view, header, ns);
  const long = readBars(view, header + ns * BAR_BYTES, nl);
  return { short, long, shortBarMs: view.getUint32(12, true), savedAt: version === V1 ? NaN : view.getFloat64(16, true) };
}

/**
 * Saves and restores the engine's windows through the snapshot store. Restoring replays the saved
 * short bars through the detectors (origin `restore`: their findings never alert, however recent;
 * the detectors start cold on them, and the saving process judged them already) so that a restarted
 * stream is warm at once; the feeds then top the windows up by backfill, and the stale-feed guard
 * keeps the jump across the downtime from alerting.
 */
export class EngineSnapshots implements SnapshotSource {
  constructor(
    private readonly engine: Engine,
    private readonly clock: Clock = systemClock,
  ) {}

  collect(): WindowSnapshot[] {
    const out: WindowSnapshot[] = [];
    const now = this.clock.now();
    for (const s of this.engine.streams()) {
      const w = this.of(s, now);
      if (w) out.push(w);
    }
    return out;
  }

  /** One stream's windows; null for a stream the engine does not hold or that has no bar yet. */
  of(key: StreamKey, now = this.clock.now()): WindowSnapshot | null {
    const s = this.engine.find(key.venue, key.symbol);
    if (!s) return null;
    const short = s.bars('short');
    if (short.length === 0) return null;
    return { stream: streamId(s), data: encodeWindows(short, s.long.range(), this.engine.options.shortBarMs, now) };
  }

  restore(stream: string, data: Uint8Array): boolean {
    const w = decodeWindows(data);
    if (!w || w.shortBarMs !== this.engine.options.shortBarMs) return false;
    let key;
    try {
      key = parseStreamId(stream);
    } catch {
      return false;
    }
    // Long history first (older than anything the short bars will fold into), then the short bars.
    const firstShort = w.short.length ? w.short[0].ts : Infinity;
    const longBarMs = this.engine.options.longBarMs;
    this.engine.ingestLongBars(key.venue, key.symbol, w.long.filter((b) => b.ts + longBarMs <= firstShort));
    this.engine.ingestShortBars(key.venue, key.symbol, w.short, 'restore');
    return true;
  }
}
