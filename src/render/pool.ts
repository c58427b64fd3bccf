// Before any worker loads the canvas library: a worker's process.env does not reach native code.
import './native-memory.js';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TemporaryError, UserError, type AlertChartRequest, type ChartPort, type RangeChartRequest } from '../engine/index.js';
import { PngCache } from './png-cache.js';
import { deserializeError, packJob, type ReadyMessage, type RenderJob, type RenderReply } from './protocol.js';

export const RENDER_POOL_DEFAULTS = {
  /** Worker threads at most; fewer on a one-core machine. Rendering is CPU-bound. */
  maxSize: 2,
  /** Alert PNGs kept (about 50-90 kB each). */
  cacheEntries: 256,
  /** A job not answered by then is a hung worker: it is replaced and the job fails (retryable). */
  jobTimeoutMs: 20_000,
  /** Jobs waiting for a worker; past this, requests fail fast (retryable) instead of piling up. */
  maxQueue: 1_000,
  /** First wait before replacing a worker that died; doubles while workers keep dying, up to the max. */
  respawnDelayMs: 50,
  maxRespawnDelayMs: 5_000,
} as const;

export interface RenderPoolOptions {
  /** Worker threads; default min(2, available cores). */
  size?: number | undefined;
  /** Alert PNGs kept, by alert id, theme and time zone; 0 turns the cache off. */
  cacheEntries?: number | undefined;
  jobTimeoutMs?: number | undefined;
  maxQueue?: number | undefined;
  /** Folder holding the chart fonts; found beside the package when absent. */
  fontDir?: string | undefined;
  /** The module each worker runs; the renderer's own worker when absent (tests pass their own). */
  workerUrl?: URL | undefined;
  /** Told about worker deaths and time-outs (the job itself fails with a TemporaryError). */
  onError?: ((err: unknown, context: string) => void) | undefined;
}

export interface RenderPoolStats {
  size: number;
  busy: number;
  queued: number;
  rendered: number;
  failed: number;
  workerDeaths: number;
  timeouts: number;
  cache: { entries: number; hits: number; misses: number };
}

interface Pending {
  job: RenderJob;
  resolve: (png: Uint8Array) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The worker has loaded and said so: jobs go only to ready workers, so boot time is not job time. */
  ready: boolean;
  current?: Pending | undefined;
  timer?: NodeJS.Timeout | undefined;
  /** Why the pool ended this worker, when it did. */
  ending?: string | undefined;
}

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(RENDER_POOL_DEFAULTS.maxSize, availableParallelism()));
}

/** The worker module beside this one: `.ts` under tsx or vitest, `.js` once compiled. */
function ownWorkerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

/**
 * Starts a worker on `url`. A `.ts` module (tests, tsx) goes through tsx's require hook: on Node 20
 * the ESM hooks that `--import tsx` installs do not reach a worker's entry module, while the require
 * hook compiles the TypeScript sources the same way on Node 20 and 24. Compiled `.js` runs as is.
 */
function startWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs');
  const boot = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(fileURLToPath(url))});`;
  return new Worker(boot, { eval: true, workerData });
}

/** The cache key of an alert chart: one PNG per alert and look. */
export function alertChartKey(req: AlertChartRequest): string | undefined {
  const id = req?.alert?.id;
  if (typeof id !== 'string' || !id) return undefined;
  return `${id}|${req.theme ?? ''}|${req.timeZone ?? ''}`;
}

/**
 * Renders charts in worker threads so that drawing never blocks ingestion or chat. Alert charts
 * are cached by alert id and reused for every recipient. A bad request fails alone; a worker that
 * dies or hangs is replaced and its job fails with a TemporaryError (retry it).
 */
export class RenderPool implements ChartPort {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly cache: PngCache;
  private readonly jobTimeoutMs: number;
  private readonly maxQueue: number;
  private readonly workerUrl: URL;
  private nextId = 1;
  private closed = false;
  private deathsInRow = 0;
  private readonly respawns = new Set<NodeJS.Timeout>();
  private readonly counts = { rendered: 0, failed: 0, workerDeaths: 0, timeouts: 0 };

  constructor(private readonly opts: RenderPoolOptions = {}) {
    this.size = opts.size ?? defaultPoolSize();
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`RenderPool: size must be a whole number >= 1, got ${String(opts.size)}`);
    this.cache = new PngCache(opts.cacheEntries ?? RENDER_POOL_DEFAULTS.cacheEntries);
    this.jobTimeoutMs = opts.jobTimeoutMs ?? RENDER_POOL_DEFAULTS.jobTimeoutMs;
    this.maxQueue = opts.maxQueue ?? RENDER_POOL_DEFAULTS.maxQueue;
    this.workerUrl = opts.workerUrl ?? ownWorkerUrl();
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  renderAlert(req: AlertChartRequest): Promise<Uint8Array> {
    const key = alertChartKey(req);
    if (key === undefined) return Promise.reject(new UserError('bad_input', 'alert chart: the alert has no id'));
    return this.cache.get(key, () => this.submit({ id: 0, kind: 'alert', req }));
  }

  renderRange(req: RangeChartRequest): Promise<Uint8Array> {
    return this.submit({ id: 0, kind: 'range', req });
  }

  stats(): RenderPoolStats {
    return {
      size: this.size,
      busy: this.slots.filter((s) => s.current).length,
      queued: this.queue.length,
      ...this.counts,
      cache: this.cache.stats(),
    };
  }

  /** Stops the workers; waiting and running jobs fail with a TemporaryError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.respawns) clearTimeout(t);
    this.respawns.clear();
    const stopped = new TemporaryError('chart renderer is shutting down');
    for (const p of this.queue.splice(0)) p.reject(stopped);
    await Promise.all(
      this.slots.map((s) => {
        s.ending = 'closed';
        if (s.timer) clearTimeout(s.timer);
        s.current?.reject(stopped);
        s.current = undefined;
        return s.worker.terminate();
      }),
    );
  }

  private submit(job: RenderJob): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new TemporaryError('chart renderer is closed'));
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new TemporaryError(`chart renderer is busy: ${this.queue.length} charts waiting`, { retryAfterMs: 1_000 }));
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.current || slot.ending || !slot.ready) continue;
      const p = this.queue.shift()!;
      try {
        const { wire, transfer } = packJob(p.job);
        slot.worker.postMessage(wire, transfer);
      } catch (err) {
        // Only data that cannot be copied to a thread fails here (a function, a symbol...).
        this.counts.failed++;
        p.reject(new UserError('bad_input', `chart request cannot be sent to a render worker: ${(err as Error).message}`));
        continue;
      }
      slot.current = p;
      slot.worker.ref();
      slot.timer = setTimeout(() => this.timeOut(slot), this.jobTimeoutMs);
    }
  }

  private spawn(): Slot {
    const worker = startWorker(this.workerUrl, { fontDir: this.opts.fontDir });
    worker.unref();
    const slot: Slot = { worker, ready: false };
    worker.on('message', (msg: RenderReply | ReadyMessage) => {
      if ('ready' in msg) {
        slot.ready = true;
        this.pump();
      } else this.onReply(slot, msg);
    });
    worker.on('error', (err) => this.opts.onError?.(err, 'render worker failed'));
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private onReply(slot: Slot, reply: RenderReply): void {
    const p = slot.current;
    if (!p || p.job.id !== reply.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.current = slot.timer = undefined;
    slot.worker.unref();
    this.deathsInRow = 0;
    if (reply.ok) {
      this.counts.rendered++;
      p.resolve(reply.png);
    } else {
      this.counts.failed++;
      p.reject(deserializeError(reply.error));
    }
    this.pump();
  }

  private timeOut(slot: Slot): void {
    this.counts.timeouts++;
    slot.ending = `no answer within ${this.jobTimeoutMs} ms`;
    this.opts.onError?.(new Error(`render worker gave ${slot.ending}; replacing it`), 'render worker timed out');
    void slot.worker.terminate();
  }

  private onExit(slot: Slot, code: number): void {
    if (slot.timer) clearTimeout(slot.timer);
    const p = slot.current;
    slot.current = slot.timer = undefined;
    if (this.closed) return;
    const why = slot.ending ?? `exit code ${code}`;
    if (!slot.ending) {
      this.counts.workerDeaths++;
      this.opts.onError?.(new Error(`render worker stopped (${why}); replacing it`), 'render worker died');
    }
    if (p) {
      this.counts.failed++;
      p.reject(new TemporaryError(`chart rendering failed: the render worker stopped (${why})`));
    }
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.deathsInRow++;
    const delay = Math.min(RENDER_POOL_DEFAULTS.maxRespawnDelayMs, RENDER_POOL_DEFAULTS.respawnDelayMs * 2 ** (this.deathsInRow - 1));
    // Until the replacement starts, the slot holds the dead worker, marked so that nothing is sent to it.
    slot.ending = slot.ending ?? 'dead';
    const t = setTimeout(() => {
      this.respawns.delete(t);
      if (this.closed) return;
      this.slots[i] = this.spawn();
      this.pump();
    }, delay);
    this.respawns.add(t);
  }
}
