import type { MessagePort } from 'node:worker_threads';
import { UserError, type AlertChartRequest, type RangeChartRequest, type UserErrorCode } from '../engine/index.js';
import type { ChartRenderer } from './renderer.js';

/** Messages between RenderPool and its worker threads. */

export type RenderJob = { id: number; kind: 'alert'; req: AlertChartRequest } | { id: number; kind: 'range'; req: RangeChartRequest };

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
  port.on('message', (job: RenderJob) => {
    let reply: RenderReply;
    try {
      const out = job.kind === 'alert' ? renderer.drawAlert(job.req) : renderer.drawRange(job.req);
      reply = { id: job.id, ok: true, png: out.png };
    } catch (err) {
      reply = { id: job.id, ok: false, error: serializeError(err) };
    }
    port.postMessage(reply, reply.ok ? [reply.png.buffer as ArrayBuffer] : []);
  });
  port.postMessage({ ready: true } satisfies ReadyMessage);
}
