import { FakeExchange, intParam, type FakeClient, type FakeExchangeOptions, type FakeTrade, type RestAnswer } from './fake-exchange.js';
import { decimalsLike, isoMicros, isoNanos } from './format.js';
import { recordedRest, recordedTemplate } from './recordings.js';

const DIR = 'coinbase_advanced_trade';

/** Fallback fixtures in Coinbase Advanced Trade's formats. */
const TRADES_FIXTURE =
  '{"channel":"market_trades","timestamp":"2025-01-01T00:00:00.100000000Z","sequence_num":3,"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"100","price":"60000.00","size":"0.00100000","time":"2025-01-01T00:00:00.050000Z","side":"BUY"}]}]}';
const HEARTBEAT_FIXTURE =
  '{"channel":"heartbeats","timestamp":"2025-01-01T00:00:01.000000000Z","sequence_num":4,"events":[{"current_time":"2025-01-01 00:00:01.000000000 +0000 UTC m=+1.000000001","heartbeat_counter":1}]}';
const SUBSCRIPTIONS_FIXTURE =
  '{"channel":"subscriptions","timestamp":"2025-01-01T00:00:00.000000000Z","sequence_num":1,"events":[{"subscriptions":{"market_trades":["BTC-USD"]}}]}';

function productFixture(base: string, quote: string): Record<string, unknown> {
  return {
    product_id: `${base}-${quote}`,
    price: '1',
    base_increment: '0.00000001',
    quote_increment: '0.01',
    quote_min_size: '1',
    quote_max_size: '150000000',
    base_min_size: '0.00000001',
    base_max_size: '3400',
    base_name: base,
    quote_name: quote,
    status: 'online',
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: quote,
    base_currency_id: base,
    base_display_symbol: base,
    quote_display_symbol: quote,
    view_only: false,
    price_increment: '0.01',
    display_name: `${base}-${quote}`,
    product_venue: 'CBE',
  };
}

const PRODUCTS_FIXTURE = JSON.stringify({
  products: [productFixture('BTC', 'USD'), productFixture('ETH', 'USD'), productFixture('BTC', 'USDT'), productFixture('SOL', 'USD')],
  num_products: 4,
  pagination: { prev_cursor: '', next_cursor: '', has_next: false, has_prev: false },
});

/** Trades in a `snapshot` event when a client subscribes (newest first, as Coinbase sends them). */
const SNAPSHOT_TRADES = 50;

export interface FakeCoinbaseOptions extends FakeExchangeOptions {
  recordings?: boolean;
  /** Coinbase closes a connection that has not subscribed within 5 seconds. */
  subscribeDeadlineMs?: number;
}

/**
 * Coinbase Advanced Trade: subscribe messages per channel (`market_trades`, `heartbeats`),
 * acknowledged on the `subscriptions` channel, a `snapshot` of recent trades on subscribe, a
 * heartbeat every second on the `heartbeats` channel, and a connection closed when no subscribe
 * arrives in time. REST: products, ticker (trades by time range, newest first), candles.
 */
export class FakeCoinbase extends FakeExchange {
  readonly venue = 'coinbase';
  private readonly trades0: Record<string, unknown>;
  private readonly tradesFrame: Record<string, unknown>;
  private readonly heartbeat0: Record<string, unknown>;
  private readonly subs0: Record<string, unknown>;
  private readonly products: string;
  private readonly known = new Set<string>();
  private readonly deadlineMs: number;
  private readonly heartbeatSubs = new WeakSet<FakeClient>();
  private beats = 0;

  constructor(opts: FakeCoinbaseOptions = {}) {
    super(opts);
    const rec = opts.recordings !== false;
    const tpl = (ch: string, fb: string, pick?: (r: string) => boolean) => JSON.parse(rec ? recordedTemplate(DIR, ch, fb, pick) : fb) as Record<string, unknown>;
    this.tradesFrame = tpl('market_trades', TRADES_FIXTURE, (r) => r.includes('"type":"update"'));
    this.trades0 = ((this.tradesFrame.events as { trades: Record<string, unknown>[] }[])[0].trades)[0];
    this.heartbeat0 = tpl('heartbeats', HEARTBEAT_FIXTURE);
    this.subs0 = tpl('subscriptions', SUBSCRIPTIONS_FIXTURE);
    this.products = rec ? recordedRest(DIR, 'rest_00.json', PRODUCTS_FIXTURE) : PRODUCTS_FIXTURE;
    for (const p of (JSON.parse(this.products) as { products: { product_id: string }[] }).products) this.known.add(p.product_id);
    this.deadlineMs = opts.subscribeDeadlineMs ?? 5_000;
  }

  idOf(symbol: string): string {
    return symbol.replace('/', '-');
  }

  private symbolOf(id: string): string | undefined {
    return this.known.has(id) ? id.replace('-', '/') : undefined;
  }

  protected onConnect(c: FakeClient): void {
    const t = setTimeout(() => {
      if (c.subs.size === 0 && !this.heartbeatSubs.has(c)) c.ws.close(1000, 'subscribe timeout');
    }, this.deadlineMs);
    t.unref();
  }

  protected onMessage(c: FakeClient, text: string): void {
    let m: { type?: unknown; channel?: unknown; product_ids?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(c, JSON.stringify({ type: 'error', message: 'failure to unmarshal message' }));
      return;
    }
    if (m.type !== 'subscribe' && m.type !== 'unsubscribe') {
      this.send(c, JSON.stringify({ type: 'error', message: `unknown message type ${String(m.type)}` }));
      return;
    }
    const ids = Array.isArray(m.product_ids) ? (m.product_ids as unknown[]).filter((p): p is string => typeof p === 'string') : [];
    if (m.channel === 'heartbeats') {
      if (m.type === 'subscribe') this.heartbeatSubs.add(c);
      else this.heartbeatSubs.delete(c);
    } else if (m.channel === 'market_trades') {
      const bad = ids.filter((id) => !this.symbolOf(id));
      if (bad.length) {
        this.send(c, JSON.stringify({ type: 'error', message: `Failed to subscribe: unknown product ids ${bad.join(',')}` }));
      }
      for (const id of ids) {
        const sym = this.symbolOf(id);
        if (!sym) continue;
        if (m.type === 'subscribe') c.subs.add(sym);
        else c.subs.delete(sym);
      }
    } else {
      this.send(c, JSON.stringify({ type: 'error', message: `unknown channel ${String(m.channel)}` }));
      return;
    }
    const subscriptions: Record<string, string[]> = {};
    if (c.subs.size) subscriptions.market_trades = [...c.subs].map((s) => this.idOf(s));
    if (this.heartbeatSubs.has(c)) subscriptions.heartbeats = [];
    this.send(c, JSON.stringify({ ...this.subs0, timestamp: isoNanos(Date.now()), sequence_num: c.seq++, events: [{ subscriptions }] }));
    if (m.type === 'subscribe' && m.channel === 'market_trades') {
      for (const id of ids) {
        const sym = this.symbolOf(id);
        if (!sym) continue;
        const recent = this.trades(sym).slice(-SNAPSHOT_TRADES).reverse();
        this.send(c, this.frame(c, sym, recent, 'snapshot'));
      }
    }
  }

  protected override heartbeat(c: FakeClient): string | undefined {
    if (!this.heartbeatSubs.has(c)) return undefined;
    const now = Date.now();
    this.beats++;
    const stamp = new Date(now).toISOString().replace('T', ' ').replace('Z', '000000 +0000 UTC');
    return JSON.stringify({ ...this.heartbeat0, timestamp: isoNanos(now), sequence_num: c.seq++, events: [{ current_time: `${stamp} m=+${(now / 1000).toFixed(9)}`, heartbeat_counter: this.beats }] });
  }

  protected tradeFrames(c: FakeClient, symbol: string, trades: FakeTrade[]): string[] {
    return [this.frame(c, symbol, trades, 'update')];
  }

  private frame(c: FakeClient, symbol: string, trades: FakeTrade[], type: 'snapshot' | 'update'): string {
    return JSON.stringify({ ...this.tradesFrame, timestamp: isoNanos(Date.now()), sequence_num: c.seq++, events: [{ type, trades: trades.map((t) => this.tradeJson(symbol, t)) }] });
  }

  private tradeJson(symbol: string, t: FakeTrade): Record<string, unknown> {
    const t0 = this.trades0;
    return { ...t0, product_id: this.idOf(symbol), trade_id: String(t.id), price: decimalsLike(String(t0.price), t.price), size: decimalsLike(String(t0.size), t.qty), time: isoMicros(t.ts), side: t.side === 'buy' ? 'BUY' : 'SELL' };
  }

  protected rest(_method: string, url: URL): RestAnswer | undefined {
    const p = url.pathname;
    if (p === '/api/v3/brokerage/market/products') {
      // Futures are asked for separately; this fake lists spot only.
      if (url.searchParams.get('product_type') === 'FUTURE') return { body: { products: [], num_products: 0 } };
      return { body: this.products };
    }
    const m = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/(ticker|candles)$/.exec(p);
    if (!m) return undefined;
    const sym = this.symbolOf(decodeURIComponent(m[1]));
    if (!sym) return { status: 404, body: { error: 'NOT_FOUND', message: 'ProductID is invalid' } };
    const start = intParam(url, 'start');
    const end = intParam(url, 'end');
    const lo = start === undefined ? -Infinity : start * 1000;
    const hi = end === undefined ? Infinity : end * 1000 + 999;
    if (m[2] === 'ticker') {
      // Newest first within [start, end] (seconds), at most `limit`.
      const limit = Math.min(intParam(url, 'limit') ?? 100, 1000);
      const list = this.range(sym, lo, hi).slice(-limit).reverse();
      return { body: { trades: list.map((t) => ({ ...this.tradeJson(sym, t), bid: '', ask: '', exchange: '' })), best_bid: '', best_ask: '' } };
    }
    if (url.searchParams.get('granularity') !== 'ONE_MINUTE') return { status: 400, body: { error: 'INVALID_ARGUMENT', message: 'granularity' } };
    const list = this.candles(sym, lo, hi).slice(-350).reverse();
    const f = (x: number) => String(x);
    return { body: { candles: list.map((k) => ({ start: String(k.ts / 1000), low: f(k.low), high: f(k.high), open: f(k.open), close: f(k.close), volume: f(k.volume) })) } };
  }
}
