import WebSocket from 'ws';
import type { Side, Tick } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import { silentLog, type Feed, type FeedLog, type HistorySource } from '../ports/feed.js';
import type { TickSink } from '../ports/tick-sink.js';
import { errText, type BackfillOptions } from './backfill.js';
import { Backoff, BACKOFF_DEFAULTS, type BackoffOptions } from './backoff.js';
import { ROTATION_MARGIN_MS, trimUrl, wireSymbol } from './capabilities.js';
import { CoreFeed, FeedCore, type ResumeFrom } from './feed-core.js';
import { chunks, type ParseSink, type VenueProtocol } from './protocol.js';
import type { TradeGate } from './trade-gate.js';

/** Feed timing and limits; defaults suit production, tests shorten them. */
export interface FeedTuning {
  backoff: BackoffOptions;
  /** How often the watchdog, the stale rule and the pinger look at the connections. */
  checkIntervalMs: number;
  /** A stream with no trade for this long is `stale` (its price is no longer news). */
  staleAfterMs: number;
  /** Live trades buffered per stream during a backfill; beyond, the oldest are dropped. */
  bufferLimit: number;
  /** Opening handshake timeout. */
  connectTimeoutMs: number;
  /** Overrides of the venue's capabilities (tests, unusual networks). */
  pingIntervalMs?: number | undefined;
  silenceMs?: number | undefined;
  /** Rotate connections after this long instead of the venue's lifetime minus ROTATION_MARGIN_MS. */
  rotateAfterMs?: number | undefined;
}

export const FEED_TUNING_DEFAULTS: Readonly<FeedTuning> = Object.freeze({
  backoff: BACKOFF_DEFAULTS,
  checkIntervalMs: 1_000,
  staleAfterMs: 120_000,
  bufferLimit: 50_000,
  connectTimeoutMs: 10_000,
});

/** Fills in FeedTuning defaults, the backoff included. */
export function mergeTuning(t: Partial<FeedTuning> = {}): FeedTuning {
  return { ...FEED_TUNING_DEFAULTS, ...t, backoff: { ...FEED_TUNING_DEFAULTS.backoff, ...t.backoff } };
}

export interface WsFeedOptions {
  protocol: VenueProtocol;
  /** Unified symbols (`BTC/USDT`). */
  symbols: readonly string[];
  sink: TickSink;
  clock: Clock;
  /** REST history for gap backfill and warm start; without it, gaps stay gaps. */
  history?: HistorySource | undefined;
  /** WebSocket base URL; the venue's public address when absent. */
  wsUrl?: string | undefined;
  /** Venue id reported on ticks; the protocol's id when absent. */
  venue?: string | undefined;
  log?: FeedLog | undefined;
  tuning?: Partial<FeedTuning> | undefined;
  backfill?: Partial<BackfillOptions> | undefined;
  /** Where each stream's data already ends in the sink (restored windows); see ResumeFrom. */
  resumeFrom?: ResumeFrom | undefined;
}

/** One WebSocket and the symbols it carries. Replaced on every reconnect. */
interface Socket {
  ws: WebSocket;
  openedAt: number;
  lastFrameAt: number;
  lastPingAt: number;
  open: boolean;
  /** Set once a newer socket has taken over (rotation) or the feed stopped. */
  retired: boolean;
  /** The socket's last error (DNS, refused, TLS), named in the close that follows it. */
  lastError?: string | undefined;
}

/**
 * While a connection keeps failing (a venue down, no network), its first loss is a warning and
 * then one "still reconnecting" warning at most this often; every attempt in between is logged
 * at debug level. Status changes of the streams are logged apart, once each.
 */
export const RECONNECT_WARN_EVERY_MS = 5 * 60_000;

/** A group of symbols sharing one connection (at most the venue's maxSymbolsPerConnection). */
class Slot {
  socket: Socket | null = null;
  /** A rotation's new socket, until its first frame proves it works. */
  next: Socket | null = null;
  timer: NodeJS.Timeout | null = null;
  rotationTriedAt = -Infinity;
  /** Connections lost or refused in a row since the last one that opened. */
  failures = 0;
  lostWarnedAt = -Infinity;
  readonly backoff: Backoff;
  constructor(
    readonly index: number,
    readonly gates: TradeGate[],
    backoff: BackoffOptions,
  ) {
    this.backoff = new Backoff(backoff);
  }
}

/**
 * The shared native WebSocket feed: connections, subscriptions, pings, the stall watchdog,
 * reconnects with backoff and jitter, planned rotation, and gap backfill. Everything that differs
 * between venues comes from the protocol and its capabilities.
 */
export class WsFeed extends CoreFeed implements Feed {
  readonly venue: string;
  private readonly protocol: VenueProtocol;
  private readonly clock: Clock;
  private readonly log: FeedLog;
  private readonly tuning: FeedTuning;
  private readonly base: string;
  protected readonly core: FeedCore;
  private readonly byWire = new Map<string, TradeGate>();
  private readonly slots: Slot[] = [];
  private readonly pingMs: number;
  private readonly silenceMs: number;
  private readonly rotateMs: number;
  private checkTimer: NodeJS.Timeout | null = null;
  private running = false;
  private reqId = 0;
  private readonly nextId = () => ++this.reqId;
  private readonly parseSink: ParseSink;
  /** Local arrival time of the frame being parsed (one clock read per frame, not per trade). */
  private frameAt = 0;

  constructor(o: WsFeedOptions) {
    super();
    this.protocol = o.protocol;
    const caps = o.protocol.caps;
    this.venue = o.venue ?? caps.id;
    const symbols = [...new Set(o.symbols)];
    this.clock = o.clock;
    this.log = o.log ?? silentLog;
    this.tuning = mergeTuning(o.tuning);
    this.base = trimUrl(o.wsUrl ?? caps.wsUrl);
    this.pingMs = this.tuning.pingIntervalMs ?? caps.pingIntervalMs;
    this.silenceMs = this.tuning.silenceMs ?? caps.silenceMs;
    this.rotateMs = this.tuning.rotateAfterMs ?? caps.maxConnectionMs - ROTATION_MARGIN_MS;
    this.core = new FeedCore({ venue: this.venue, symbols, sink: o.sink, clock: o.clock, log: this.log, history: o.history, backfill: o.backfill, bufferLimit: this.tuning.bufferLimit, resumeFrom: o.resumeFrom });
    const core = this.core;
    chunks(symbols, caps.maxSymbolsPerConnection).forEach((syms, i) => {
      const gates = syms.map((s) => {
        const g = core.gates.get(s) as TradeGate;
        this.byWire.set(wireSymbol(s, caps.symbolFormat), g);
        return g;
      });
      this.slots.push(new Slot(i, gates, this.tuning.backoff));
    });
    const venue = this.venue;
    const byWire = this.byWire;
    const stats = core.stats;
    const drops = core.drops;
    this.parseSink = {
      trade: (wire: string, ts: number, price: number, qty: number, side: Side | undefined, id: string): void => {
        const g = byWire.get(wire);
        if (g === undefined) {
          drops.drop('unknown_symbol', wire);
          return;
        }
        stats.ticks++;
        const t: Tick = { venue, symbol: g.symbol, ts, price, qty, side, id };
        g.live(t, this.frameAt);
        if (g.stale) core.wake(g);
      },
      drop: (kind: string, sample: string): void => drops.drop(kind, sample),
    };
  }

  get symbols(): readonly string[] {
    return [...this.core.gates.keys()];
  }

  /**
   * Watches more symbols: they join a connection with room (subscribed at once if it is open, then
   * warmed from REST history) or a new connection.
   */
  add(symbols: readonly string[]): void {
    const caps = this.protocol.caps;
    for (const s of symbols) {
      if (this.core.gates.has(s)) continue;
      const g = this.core.add(s);
      const wire = wireSymbol(s, caps.symbolFormat);
      this.byWire.set(wire, g);
      let slot = this.slots[this.slots.length - 1];
      if (!slot || slot.gates.length >= caps.maxSymbolsPerConnection) {
        slot = new Slot(this.slots.length, [], this.tuning.backoff);
        this.slots.push(slot);
        slot.gates.push(g);
        if (this.running) this.connect(slot, 'start');
        continue;
      }
      slot.gates.push(g);
      const sock = slot.socket;
      if (this.running && sock?.open) {
        this.sendSpaced(sock, this.protocol.subscribeMessages([wire], this.nextId));
        this.core.connected(g, () => this.running && slot.socket?.open === true);
      }
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    for (const slot of this.slots) this.connect(slot, 'start');
    this.checkTimer = setInterval(() => this.check(), this.tuning.checkIntervalMs);
    this.checkTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.core.stop();
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.checkTimer = null;
    const closing: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      for (const s of [slot.socket, slot.next]) if (s) closing.push(this.retire(s));
      slot.socket = null;
      slot.next = null;
    }
    await Promise.all(closing);
  }

  private connect(slot: Slot, why: string): void {
    if (!this.running) return;
    const url = this.protocol.connectUrl(this.base);
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: this.tuning.connectTimeoutMs });
    const now = this.clock.now();
    const sock: Socket = { ws, openedAt: now, lastFrameAt: now, lastPingAt: now, open: false, retired: false };
    const rotation = slot.socket !== null && slot.socket.open && why === 'rotation';
    if (rotation) slot.next = sock;
    else slot.socket = sock;
    ws.on('open', () => this.onOpen(slot, sock, rotation));
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.onFrame(slot, sock, data, isBinary));
    ws.on('pong', () => {
      sock.lastFrameAt = this.clock.now();
    });
    ws.on('error', (err: Error) => {
      this.core.stats.errors++;
      sock.lastError = errText(err);
      this.log.debug({ venue: this.venue, err: sock.lastError }, 'socket error');
    });
    ws.on('close', (code: number, reason: Buffer) =>
      this.onClose(slot, sock, `closed ${code}${reason.length ? ` ${reason.toString()}` : ''}${sock.lastError ? ` (${sock.lastError})` : ''}`),
    );
  }

  private onOpen(slot: Slot, sock: Socket, rotation: boolean): void {
    if (sock.retired) return;
    sock.open = true;
    sock.openedAt = sock.lastFrameAt = sock.lastPingAt = this.clock.now();
    sock.lastError = undefined;
    this.core.stats.connects++;
    if (!rotation) slot.failures = 0;
    const wires = slot.gates.map((g) => wireSymbol(g.symbol, this.protocol.caps.symbolFormat));
    this.sendSpaced(sock, this.protocol.subscribeMessages(wires, this.nextId));
    if (rotation) return;
    const stillUp = () => this.running && slot.socket?.open === true;
    for (const g of slot.gates) this.core.connected(g, stillUp);
  }

  /** Sends messages at the venue's allowed pace. */
  private sendSpaced(sock: Socket, msgs: string[]): void {
    const gap = this.protocol.caps.minSendIntervalMs;
    msgs.forEach((m, i) => {
      const send = () => {
        if (!sock.retired && sock.ws.readyState === WebSocket.OPEN) sock.ws.send(m);
      };
      if (i === 0) send();
      else setTimeout(send, i * gap).unref?.();
    });
  }

  private onFrame(slot: Slot, sock: Socket, data: WebSocket.RawData, isBinary: boolean): void {
    if (sock.retired) return;
    const now = this.clock.now();
    sock.lastFrameAt = now;
    this.frameAt = now;
    this.core.stats.frames++;
    if (slot.next === sock) this.completeRotation(slot, sock);
    if (isBinary) {
      this.core.drops.drop('binary', `${(data as Buffer).length} bytes`);
      return;
    }
    const text = typeof data === 'string' ? data : data.toString();
    try {
      this.protocol.parse(text, this.parseSink);
    } catch (err) {
      // A parser bug must not take the feed down: count it like any malformed frame.
      this.core.drops.drop('parser_error', `${errText(err)}: ${text.slice(0, 120)}`);
    }
  }

  private completeRotation(slot: Slot, sock: Socket): void {
    const old = slot.socket;
    slot.socket = sock;
    slot.next = null;
    this.core.stats.rotations++;
    if (old) void this.retire(old);
    this.log.info({ venue: this.venue, slot: slot.index }, `feed ${this.venue}: connection rotated`);
  }

  private onClose(slot: Slot, sock: Socket, reason: string): void {
    const wasOpen = sock.open;
    sock.open = false;
    if (sock.retired || !this.running) return;
    sock.retired = true;
    if (slot.next === sock) {
      // The rotation's new socket failed: the old one carries on; rotation is tried again later.
      slot.next = null;
      return;
    }
    if (slot.socket !== sock) return;
    slot.socket = null;
    if (wasOpen) this.core.stats.disconnects++;
    slot.backoff.settle(wasOpen ? this.clock.now() - sock.openedAt : 0);
    for (const g of slot.gates) this.core.board.set(g.symbol, 'reconnecting', reason);
    const delay = slot.backoff.next();
    const now = this.clock.now();
    const attempts = ++slot.failures;
    const fields = { venue: this.venue, slot: slot.index, reason, delayMs: delay, attempts };
    if (attempts === 1 || now - slot.lostWarnedAt >= RECONNECT_WARN_EVERY_MS) {
      slot.lostWarnedAt = now;
      this.log.warn(fields, attempts === 1 ? `feed ${this.venue}: connection lost, reconnecting` : `feed ${this.venue}: still reconnecting after ${attempts} attempts`);
    } else {
      this.log.debug(fields, `feed ${this.venue}: reconnect failed, trying again`);
    }
    slot.timer = setTimeout(() => {
      slot.timer = null;
      this.connect(slot, 'reconnect');
    }, delay);
  }

  private retire(sock: Socket): Promise<void> {
    sock.retired = true;
    const ws = sock.ws;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const done = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000);
      done.unref?.();
      ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }

  /** The watchdog, the stale rule, pings and rotation, for every connection. */
  private check(): void {
    const now = this.clock.now();
    for (const slot of this.slots) {
      const sock = slot.socket;
      if (!sock || !sock.open) continue;
      if (now - sock.lastFrameAt > this.silenceMs) {
        this.core.stats.stalls++;
        this.log.warn({ venue: this.venue, slot: slot.index, silentMs: now - sock.lastFrameAt }, `feed ${this.venue}: silent for too long, reconnecting`);
        for (const g of slot.gates) if (!g.buffering) this.core.board.set(g.symbol, 'stale', 'watchdog');
        // terminate() closes at once; the close handler reconnects.
        sock.ws.terminate();
        continue;
      }
      if (now - sock.lastPingAt >= this.pingMs) {
        sock.lastPingAt = now;
        this.ping(sock);
      }
      if (slot.next === null && now - sock.openedAt >= this.rotateMs && now - slot.rotationTriedAt >= this.tuning.backoff.maxMs) {
        slot.rotationTriedAt = now;
        this.connect(slot, 'rotation');
      }
      for (const g of slot.gates) this.core.checkStale(g, now, this.tuning.staleAfterMs);
    }
  }

  private ping(sock: Socket): void {
    if (sock.ws.readyState !== WebSocket.OPEN) return;
    if (this.protocol.caps.ping === 'app' && this.protocol.pingMessage) sock.ws.send(this.protocol.pingMessage(this.nextId));
    else sock.ws.ping();
  }
}
