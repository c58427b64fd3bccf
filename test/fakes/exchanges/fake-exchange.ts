import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { spikeTrades } from './market.js';

/** One trade on a fake venue. `id` is assigned by the venue, increasing per symbol. */
export interface FakeTrade {
  ts: number;
  price: number;
  qty: number;
  side: 'buy' | 'sell';
  id: number;
}

export type NewTrade = Omit<FakeTrade, 'id'>;

/** A connected client and what it subscribed to (unified symbols). */
export interface FakeClient {
  ws: WebSocket;
  /** Request path and query of the connection. */
  url: URL;
  subs: Set<string>;
  /** Venue-specific connection mode (e.g. Binance combined or raw frames). */
  mode: string;
  connectedAt: number;
  lastMessageAt: number;
  /** Per-connection sequence counter, for venues that number their messages. */
  seq: number;
}

/** A 1-minute candle built from the fake's trade history. */
export interface FakeCandle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  buyVolume: number;
  trades: number;
}

export interface RestAnswer {
  status?: number;
  body: unknown;
}

export interface FakeExchangeOptions {
  /** Heartbeat spacing for venues that send heartbeats. */
  heartbeatMs?: number;
  /** Server pings (WebSocket frames) spacing, for venues that ping. */
  pingMs?: number;
}

const MINUTE = 60_000;

/**
 * The part every fake venue shares: an HTTP server for REST on 127.0.0.1 and a random port, a
 * WebSocket server on the same port, the venue's trade history (served over REST, streamed to
 * subscribers when trades happen), and failure switches: drop every connection, refuse new ones,
 * go silent. Each venue subclass speaks its own protocol.
 */
export abstract class FakeExchange {
  abstract readonly venue: string;
  readonly clients = new Set<FakeClient>();
  /** Every text message clients sent, in order. */
  readonly received: string[] = [];
  /** Every REST request, as `METHOD /path?query`. */
  readonly requests: string[] = [];
  readonly counters = { connections: 0, refused: 0, drops: 0 };
  /** While true, nothing at all is sent to clients (no trades, heartbeats, acks or pongs). */
  silent = false;
  /** While true, new WebSocket connections are refused. */
  down = false;
  protected readonly heartbeatMs: number;
  protected readonly pingMs: number;
  private readonly history = new Map<string, FakeTrade[]>();
  private readonly nextIds = new Map<string, number>();
  private readonly server = http.createServer((req, res) => this.onHttp(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private timers: NodeJS.Timeout[] = [];
  private port = 0;

  constructor(opts: FakeExchangeOptions = {}) {
    this.heartbeatMs = opts.heartbeatMs ?? 1_000;
    this.pingMs = opts.pingMs ?? 0;
    this.server.on('upgrade', (req, socket: Socket, head) => {
      if (this.down) {
        this.counters.refused++;
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onWs(ws, req));
    });
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    if (this.heartbeatMs > 0) this.every(this.heartbeatMs, () => this.beat());
    if (this.pingMs > 0) this.every(this.pingMs, () => this.pingAll());
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Trades that happened before (REST history only, never streamed). Ids are assigned here. */
  addHistory(symbol: string, trades: readonly NewTrade[]): FakeTrade[] {
    const list = this.list(symbol);
    const out = trades.map((t) => ({ ...t, id: this.nextId(symbol) }));
    list.push(...out);
    list.sort((a, b) => a.ts - b.ts);
    return out;
  }

  /** Trades happening now: added to the history and streamed to every subscriber of the symbol. */
  trade(symbol: string, trades: readonly NewTrade[]): FakeTrade[] {
    const out = this.addHistory(symbol, trades);
    if (this.silent || out.length === 0) return out;
    for (const c of this.clients) {
      if (!c.subs.has(symbol) || c.ws.readyState !== WebSocket.OPEN) continue;
      for (const f of this.tradeFrames(c, symbol, out)) c.ws.send(f);
    }
    return out;
  }

  /**
   * A pump (pct > 0) or crash now: `trades` aggressive trades moving the symbol's last price by pct
   * over spanMs, starting at `start` (default: now, or just after the last trade).
   */
  spike(symbol: string, pct: number, o: { trades?: number; spanMs?: number; start?: number } = {}): FakeTrade[] {
    const last = this.trades(symbol).at(-1);
    const start = o.start ?? Math.max(Date.now(), (last?.ts ?? 0) + 1);
    return this.trade(symbol, spikeTrades({ start, from: last?.price ?? 100, pct, trades: o.trades ?? 60, spanMs: o.spanMs ?? 20_000 }));
  }

  /** Sends a frame exactly as given (malformed-frame tests). */
  sendRaw(text: string): void {
    for (const c of this.clients) if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  }

  /** Cuts every connection without a closing handshake (the client sees code 1006). */
  drop(): void {
    this.counters.drops++;
    for (const c of this.clients) c.ws.terminate();
  }

  /** Closes every connection with a close frame. */
  closeClients(code = 1001, reason = 'going away'): void {
    for (const c of this.clients) c.ws.close(code, reason);
  }

  trades(symbol: string): readonly FakeTrade[] {
    return this.history.get(symbol) ?? [];
  }

  subscribers(symbol: string): number {
    let n = 0;
    for (const c of this.clients) if (c.subs.has(symbol) && c.ws.readyState === WebSocket.OPEN) n++;
    return n;
  }

  /** Resolves when `pred` holds, polling; rejects after timeoutMs. */
  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`${this.venue} fake: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Trades with since <= ts <= until, oldest first. */
  protected range(symbol: string, since = -Infinity, until = Infinity): FakeTrade[] {
    return this.trades(symbol).filter((t) => t.ts >= since && t.ts <= until);
  }

  /** 1-minute candles of the history with since <= start <= until, oldest first. */
  protected candles(symbol: string, since = -Infinity, until = Infinity): FakeCandle[] {
    const out: FakeCandle[] = [];
    let cur: FakeCandle | null = null;
    for (const t of this.trades(symbol)) {
      const m = t.ts - (t.ts % MINUTE);
      if (m < since || m > until) continue;
      if (!cur || cur.ts !== m) {
        cur = { ts: m, open: t.price, high: t.price, low: t.price, close: t.price, volume: 0, quoteVolume: 0, buyVolume: 0, trades: 0 };
        out.push(cur);
      }
      cur.high = Math.max(cur.high, t.price);
      cur.low = Math.min(cur.low, t.price);
      cur.close = t.price;
      cur.volume += t.qty;
      cur.quoteVolume += t.qty * t.price;
      if (t.side === 'buy') cur.buyVolume += t.qty;
      cur.trades++;
    }
    return out;
  }

  protected send(c: FakeClient, text: string): void {
    if (!this.silent && c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  }

  /** Venue hooks. */
  protected abstract onConnect(c: FakeClient): void;
  protected abstract onMessage(c: FakeClient, text: string): void;
  protected abstract tradeFrames(c: FakeClient, symbol: string, trades: FakeTrade[]): string[];
  protected abstract rest(method: string, url: URL): RestAnswer | undefined;
  /** The venue's heartbeat frame for a client, if it sends one now. */
  protected heartbeat(_c: FakeClient): string | undefined {
    return undefined;
  }

  private list(symbol: string): FakeTrade[] {
    let l = this.history.get(symbol);
    if (!l) {
      l = [];
      this.history.set(symbol, l);
    }
    return l;
  }

  private nextId(symbol: string): number {
    const n = (this.nextIds.get(symbol) ?? 1_000_000) + 1;
    this.nextIds.set(symbol, n);
    return n;
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private beat(): void {
    if (this.silent) return;
    for (const c of this.clients) {
      const f = this.heartbeat(c);
      if (f !== undefined) this.send(c, f);
    }
  }

  private pingAll(): void {
    if (this.silent) return;
    for (const c of this.clients) if (c.ws.readyState === WebSocket.OPEN) c.ws.ping();
  }

  private onWs(ws: WebSocket, req: http.IncomingMessage): void {
    const now = Date.now();
    const c: FakeClient = { ws, url: new URL(req.url ?? '/', 'http://fake'), subs: new Set(), mode: '', connectedAt: now, lastMessageAt: now, seq: 0 };
    this.clients.add(c);
    this.counters.connections++;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      c.lastMessageAt = Date.now();
      this.received.push(text);
      if (this.silent) return;
      this.onMessage(c, text);
    });
    ws.on('close', () => this.clients.delete(c));
    ws.on('error', () => this.clients.delete(c));
    this.onConnect(c);
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    let ans: RestAnswer | undefined;
    try {
      ans = this.rest(req.method ?? 'GET', url);
    } catch (err) {
      ans = { status: 400, body: { error: String(err) } };
    }
    if (!ans) ans = { status: 404, body: { error: `no route ${url.pathname}` } };
    const body = typeof ans.body === 'string' ? ans.body : JSON.stringify(ans.body);
    res.writeHead(ans.status ?? 200, { 'content-type': 'application/json' });
    res.end(body);
  }
}

/** Integer query parameter, or undefined. */
export function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
