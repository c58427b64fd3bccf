import type { MessagePort } from 'node:worker_threads';
import { UserError, type AlertChartRequest, type Bar, type RangeChartRequest, type UserErrorCode, type VenueSeries } from '../engine/index.js';
import type { ChartRenderer } from './renderer.js';

/** Messages between RenderPool and its worker threads. */

export type RenderJob = { id: number; kind: 'alert'; req: AlertChartRequest } | { id: number; kind: 'range'; req: RangeChartRequest };

/**
 * A RenderJob as posted to a worker: the bars of its series (and composite) travel packed in one
 * Float64Array each, transferred, and the job holds empty bar arrays in their place. Structured
 * cloning an hour of one-second bars, object by object, costs milliseconds on both threads (about
 * 3 ms to send and 5 ms to receive 3,600 bars): more than a third of drawing the chart.
 */
export type WireJob = RenderJob & { packed?: PackedBars[] | undefined };

export interface PackedBars {
  /** Index into `req.series`, or -1 for `req.composite`. */
  at: number;
  count: number;
  /** BAR_FIELDS one after the other, `count` values each. */
  values: Float64Array;
}

/** What a packed bar keeps: every field of a Bar. */
const BAR_FIELDS = ['ts', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'buyVolume', 'sellVolume', 'trades'] as const satisfies readonly (keyof Bar)[];
/** Below this many bars, cloning costs less than packing. */
const MIN_PACKED_BARS = 64;

/**
 * Packs what the renderer would read the same way from a packed bar: bars that are objects whose
 * fields are numbers (or missing: NaN, which the renderer treats alike). Anything else goes as it
 * is, so that the worker judges a malformed request exactly as the renderer in this thread would.
 */
function packable(bars: unknown): bars is Bar[] {
  if (!Array.isArray(bars) || bars.length < MIN_PACKED_BARS) return false;
  for (const b of bars as unknown[]) {
    if (typeof b !== 'object' || b === null) return false;
    for (const f of BAR_FIELDS) {
      const v = (b as Record<string, unknown>)[f];
      if (typeof v !== 'number' && v !== undefined) return false;
    }
  }
  return true;
}

function pack(at: number, bars: readonly Bar[]): PackedBars {
  const n = bars.length;
  const values = new Float64Array(n * BAR_FIELDS.length);
  BAR_FIELDS.forEach((f, k) => {
    const o = k * n;
    for (let i = 0; i < n; i++) values[o + i] = bars[i]![f] ?? Number.NaN;
  });
  return { at, count: n, values };
}

function unpack(p: PackedBars): Bar[] {
  const n = p.count;
  const v = p.values;
  const bars = new Array<Bar>(n);
  for (let i = 0; i < n; i++) {
    bars[i] = {
      ts: v[i]!,
      open: v[n + i]!,
      high: v[2 * n + i]!,
      low: v[3 * n + i]!,
      close: v[4 * n + i]!,
      volume: v[5 * n + i]!,
      quoteVolume: v[6 * n + i]!,
      buyVolume: v[7 * n + i]!,
      sellVolume: v[8 * n + i]!,
      trades: v[9 * n + i]!,
    };
  }
  return bars;
}

/** The job to post, and the buffers to transfer with it. */
export function packJob(job: RenderJob): { wire: WireJob; transfer: ArrayBuffer[] } {
  const req = job.req as Partial<AlertChartRequest & RangeChartRequest> | undefined;
  if (!req || typeof req !== 'object' || !Array.isArray(req.series)) return { wire: job, transfer: [] };
  const packed: PackedBars[] = [];
  const series = (req.series as unknown[]).map((s, i) => {
    const bars = (s as Partial<VenueSeries> | null)?.bars;
    if (!packable(bars)) return s;
    packed.push(pack(i, bars));
    return { ...(s as VenueSeries), bars: [] };
  });
  let composite = req.composite;
  if (packable(composite)) {
    packed.push(pack(-1, composite));
    composite = [];
  }
  if (packed.length === 0) return { wire: job, transfer: [] };
  const wire = { ...job, req: { ...job.req, series, composite }, packed } as WireJob;
  return { wire, transfer: packed.map((p) => p.values.buffer as ArrayBuffer) };
}

/** The job as it was before packJob. */
export function unpackJob(wire: WireJob): RenderJob {
  const { packed, ...job } = wire;
  if (!packed?.length) return job as RenderJob;
  const req = { ...job.req, series: [...job.req.series] };
  for (const p of packed) {
    if (p.at < 0) req.composite = unpack(p);
    else req.series[p.at] = { ...req.series[p.at]!, bars: unpack(p) };
  }
  return { ...job, req } as RenderJob;
}

export interface SerializedError {
  name: string;
  message: string;
  code?: UserErrorCode | undefined;
  details?: Record<string, unknown> | undefined;
}

export type RenderReply = { id: number; ok: true; png: Uint8Array } | { id: number; ok: false; error: SerializedError };

/** A worker's first message: it has loaded its fonts and libraries and takes jobs. */
export interface ReadyMessage {
  ready: true;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof UserError) return { name: err.name, message: err.message, code: err.code, details: plain(err.details) };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** A UserError stays a UserError (the chat layer words it); anything else says it failed drawing. */
export function deserializeError(e: SerializedError): Error {
  if (e.name === 'UserError' && e.code) return new UserError(e.code, e.message, e.details ?? {});
  const err = new Error(`chart rendering failed: ${e.message}`);
  err.name = 'RenderError';
  return err;
}

/** Details survive structured cloning only as plain data. */
function plain(d: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Serves render jobs from `port` with `renderer`: the body of a worker thread. */
export function serveRenderJobs(port: MessagePort, renderer: ChartRenderer): void {
  port.on('message', (wire: WireJob) => {
    let reply: RenderReply;
    try {
      const job = unpackJob(wire);
      const out = job.kind === 'alert' ? renderer.drawAlert(job.req) : renderer.drawRange(job.req);
      reply = { id: wire.id, ok: true, png: out.png };
    } catch (err) {
      reply = { id: wire.id, ok: false, error: serializeError(err) };
    }
    port.postMessage(reply, reply.ok ? [reply.png.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ ready: true } satisfies ReadyMessage);
}
