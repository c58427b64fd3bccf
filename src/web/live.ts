import type { ServerResponse } from 'node:http';
import { streamId } from '../engine/index.js';
import type { Clock } from '../engine/ports/clock.js';
import type { StreamView } from './deps.js';
import type { DashboardOptions } from './options.js';
import type { ReadModel, ReadModelEvents, StatusUpdate, StreamUpdate } from './read-model.js';
import type { AlertT, SymbolRowT } from './schemas.js';

/** One batch of live changes: the `update` event of /api/events. */
export interface LiveUpdate {
  now: number;
  streams: StreamUpdate[];
  statuses: StatusUpdate[];
  alerts: AlertT[];
  symbols: SymbolRowT[];
}

/** One connected browser. */
interface LiveClient {
  /** Only this symbol's changes, when set (the pair page). */
  readonly symbol: string | undefined;
  /** Queues bytes; false when the client is gone or too far behind (then it is closed). */
  write(bytes: Uint8Array): boolean;
  end(): void;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-content-type-options': 'nosniff',
  // Proxies that buffer responses (nginx) would hold the events back.
  'x-accel-buffering': 'no',
} as const;

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': heartbeat\n\n');

export interface LiveStats {
  clients: number;
  /** Writes to clients: one per client per batch, and heartbeats. */
  sent: number;
  /** Clients dropped for falling too far behind. */
  dropped: number;
  batches: number;
}

/**
 * The live event stream behind every page. Engine evaluations, feed status changes and alerts are
 * gathered for batchDelayMs and leave as one `update` event per batch, serialised once and written
 * to every client. A stream's own updates are spaced by at least streamMinIntervalMs (newer values
 * replace older ones while they wait), so a busy stream never floods a browser. A client that
 * cannot keep up is dropped rather than buffered without bound; its browser reconnects by itself.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly pending = new Map<string, StreamView>();
  private readonly lastSent = new Map<string, number>();
  private statuses: StatusUpdate[] = [];
  private alerts: AlertT[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  private readonly counts = { sent: 0, dropped: 0, batches: 0 };
  /** Listeners for tests and the benchmark: each batch once written to every client, and how long the writes took. */
  private readonly batchListeners = new Set<(u: LiveUpdate, fanOutMs: number) => void>();

  readonly events: ReadModelEvents = {
    stream: (s) => {
      this.pending.set(streamId(s), s);
      this.schedule(this.opt.batchDelayMs);
    },
    status: (info) => {
      this.statuses.push(info);
      this.schedule(this.opt.batchDelayMs);
    },
    alert: (a) => {
      this.alerts.push(a);
      this.schedule(this.opt.batchDelayMs);
    },
  };

  constructor(
    private readonly model: ReadModel,
    private readonly clock: Clock,
    private readonly opt: DashboardOptions,
    private readonly scrub: (s: string) => string,
  ) {
    this.heartbeat = setInterval(() => this.broadcast(HEARTBEAT), opt.heartbeatMs);
    this.heartbeat.unref();
  }

  stats(): LiveStats {
    return { clients: this.clients.size, ...this.counts };
  }

  onBatch(fn: (u: LiveUpdate, fanOutMs: number) => void): () => void {
    this.batchListeners.add(fn);
    return () => this.batchListeners.delete(fn);
  }

  /** Whether another client may connect now. */
  get open(): boolean {
    return !this.closed && this.clients.size < this.opt.maxClients;
  }

  private hello(): Uint8Array {
    return encoder.encode(`retry: ${this.opt.retryMs}\n: connected\n\n`);
  }

  /**
   * Serves the event stream on a Node response directly: one socket write per batch, no stream
   * machinery in between (what lets one process feed a thousand browsers). False when full.
   */
  attach(symbol: string | undefined, res: ServerResponse): boolean {
    if (!this.open) return false;
    const max = this.opt.maxClientBacklogBytes;
    const client: LiveClient = {
      symbol,
      write: (bytes) => {
        if (res.destroyed) return false;
        res.write(bytes);
        if (res.writableLength <= max) return true;
        this.counts.dropped++;
        res.destroy();
        return false;
      },
      end: () => res.end(),
    };
    res.writeHead(200, SSE_HEADERS);
    res.on('close', () => this.clients.delete(client));
    this.clients.add(client);
    client.write(this.hello());
    return true;
  }

  /** The event stream as a web Response (runtimes without a Node response: tests through app.request). */
  connect(symbol: string | undefined): Response | null {
    if (!this.open) return null;
    let client: LiveClient | undefined;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          client = {
            symbol,
            write: (bytes) => {
              try {
                controller.enqueue(bytes);
              } catch {
                return false;
              }
              if ((controller.desiredSize ?? 0) >= 0) return true;
              this.counts.dropped++;
              controller.error(new Error('event-stream client too slow'));
              return false;
            },
            end: () => controller.close(),
          };
          this.clients.add(client);
          controller.enqueue(this.hello());
        },
        cancel: () => {
          if (client) this.clients.delete(client);
        },
      },
      // More than maxClientBacklogBytes waiting for this client: it is dropped; it reconnects and resyncs.
      { highWaterMark: this.opt.maxClientBacklogBytes, size: (chunk) => chunk.byteLength },
    );
    return new Response(stream, { headers: SSE_HEADERS });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const c of this.clients) {
      try {
        c.end();
      } catch {
        // Already closed by the client.
      }
    }
    this.clients.clear();
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    const at = performance.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.flush(), delayMs);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const t = performance.now();
    const now = this.clock.now();
    const streams: StreamUpdate[] = [];
    const touched = new Set<string>();
    let nextDue = Infinity;
    for (const [id, s] of this.pending) {
      const last = this.lastSent.get(id) ?? -Infinity;
      if (t - last >= this.opt.streamMinIntervalMs) {
        streams.push(this.model.update(s, now));
        touched.add(s.symbol);
        this.lastSent.set(id, t);
        this.pending.delete(id);
      } else nextDue = Math.min(nextDue, last + this.opt.streamMinIntervalMs);
    }
    const statuses = this.statuses;
    for (const s of statuses) touched.add(s.symbol);
    const alerts = this.alerts;
    this.statuses = [];
    this.alerts = [];
    if (nextDue < Infinity) this.schedule(Math.max(1, nextDue - t));
    if (streams.length === 0 && statuses.length === 0 && alerts.length === 0) return;
    const update: LiveUpdate = { now, streams, statuses, alerts, symbols: this.model.symbolRows(touched) };
    this.counts.batches++;
    const w0 = performance.now();
    const bySymbol = new Map<string | undefined, Uint8Array | null>();
    for (const c of this.clients) {
      let bytes = bySymbol.get(c.symbol);
      if (bytes === undefined) {
        bytes = this.encode(c.symbol === undefined ? update : only(update, c.symbol));
        bySymbol.set(c.symbol, bytes);
      }
      if (bytes) this.send(c, bytes);
    }
    const fanOutMs = performance.now() - w0;
    for (const fn of this.batchListeners) fn(update, fanOutMs);
  }

  private encode(u: LiveUpdate | null): Uint8Array | null {
    if (!u) return null;
    return encoder.encode(`event: update\ndata: ${this.scrub(JSON.stringify(u))}\n\n`);
  }

  private send(c: LiveClient, bytes: Uint8Array): void {
    if (c.write(bytes)) this.counts.sent++;
    else this.clients.delete(c);
  }

  private broadcast(bytes: Uint8Array): void {
    for (const c of this.clients) this.send(c, bytes);
  }
}

/** The part of an update that concerns one symbol, or null when nothing does. */
function only(u: LiveUpdate, symbol: string): LiveUpdate | null {
  const streams = u.streams.filter((s) => s.symbol === symbol);
  const statuses = u.statuses.filter((s) => s.symbol === symbol);
  const alerts = u.alerts.filter((a) => a.symbol === symbol);
  if (streams.length === 0 && statuses.length === 0 && alerts.length === 0) return null;
  return { now: u.now, streams, statuses, alerts, symbols: u.symbols.filter((s) => s.symbol === symbol) };
}
