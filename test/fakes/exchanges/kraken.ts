import { FakeExchange, intParam, type FakeClient, type FakeExchangeOptions, type FakeTrade, type RestAnswer } from './fake-exchange.js';
import { isoMicros } from './format.js';
import { recordedRest } from './recordings.js';

/**
 * Kraken's REST pair list: the recorded body (2021) when present. Dark-pool pairs (`.d`) are left
 * out: Kraken has since retired them, and ccxt would otherwise map BTC/USD to the dark pool.
 */
function pairFixture(base: string, quote: string, ws: string): Record<string, unknown> {
  return {
    altname: ws.replace('/', ''),
    wsname: ws,
    aclass_base: 'currency',
    base,
    aclass_quote: 'currency',
    quote,
    lot: 'unit',
    pair_decimals: 1,
    lot_decimals: 8,
    lot_multiplier: 1,
    leverage_buy: [],
    leverage_sell: [],
    fees: [[0, 0.26]],
    fees_maker: [[0, 0.16]],
    fee_volume_currency: 'ZUSD',
    margin_call: 80,
    margin_stop: 40,
    ordermin: '0.0001',
  };
}

const ASSET_PAIRS_FIXTURE = JSON.stringify({
  error: [],
  result: {
    XXBTZUSD: pairFixture('XXBT', 'ZUSD', 'XBT/USD'),
    XETHZUSD: pairFixture('XETH', 'ZUSD', 'ETH/USD'),
    XETHXXBT: pairFixture('XETH', 'XXBT', 'ETH/XBT'),
    SOLUSD: pairFixture('SOL', 'ZUSD', 'SOL/USD'),
  },
});

/** Kraken's old currency codes and the common ones that WebSocket v2 and ccxt use. */
const ALIASES: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };

export interface FakeKrakenOptions extends FakeExchangeOptions {
  recordings?: boolean;
}

/**
 * Kraken spot WebSocket v2 (built from Kraken's documented protocol: the recordings are v1): a
 * `status` message on connect, `subscribe` to the `trade` channel acknowledged per symbol, an
 * optional snapshot of the last 50 trades, `heartbeat` every second once subscribed, and
 * `{"method":"ping"}` answered by `pong`. REST: AssetPairs, Trades, OHLC.
 */
export class FakeKraken extends FakeExchange {
  readonly venue = 'kraken';
  private readonly pairs: string;
  /** Unified symbol -> REST pair key. */
  private readonly keyOf = new Map<string, string>();
  private readonly symbolOfKey = new Map<string, string>();

  constructor(opts: FakeKrakenOptions = {}) {
    super(opts);
    const raw = opts.recordings !== false ? recordedRest('kraken_v1', 'rest_00.json', ASSET_PAIRS_FIXTURE) : ASSET_PAIRS_FIXTURE;
    const body = JSON.parse(raw) as { error: unknown[]; result: Record<string, { wsname?: string; altname?: string }> };
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body.result)) {
      if (k.endsWith('.d') || !v.wsname) continue;
      result[k] = v;
      const sym = v.wsname
        .split('/')
        .map((c) => ALIASES[c] ?? c)
        .join('/');
      this.keyOf.set(sym, k);
      this.symbolOfKey.set(k, sym);
      if (v.altname) this.symbolOfKey.set(v.altname, sym);
    }
    this.pairs = JSON.stringify({ error: body.error, result });
  }

  protected onConnect(c: FakeClient): void {
    this.send(c, JSON.stringify({ channel: 'status', type: 'update', data: [{ version: '2.0.10', system: 'online', api_version: 'v2', connection_id: 4_000_000 + this.counters.connections }] }));
  }

  protected onMessage(c: FakeClient, text: string): void {
    const timeIn = isoMicros(Date.now());
    let m: { method?: unknown; params?: { channel?: unknown; symbol?: unknown; snapshot?: unknown }; req_id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(c, JSON.stringify({ error: 'Malformed request', success: false, time_in: timeIn, time_out: isoMicros(Date.now()) }));
      return;
    }
    const reqId = typeof m.req_id === 'number' ? { req_id: m.req_id } : {};
    if (m.method === 'ping') {
      this.send(c, JSON.stringify({ method: 'pong', ...reqId, time_in: timeIn, time_out: isoMicros(Date.now()) }));
      return;
    }
    if (m.method !== 'subscribe' && m.method !== 'unsubscribe') {
      this.send(c, JSON.stringify({ error: `Method not found ${String(m.method)}`, method: m.method, success: false, ...reqId, time_in: timeIn, time_out: isoMicros(Date.now()) }));
      return;
    }
    const p = m.params ?? {};
    if (p.channel !== 'trade') {
      this.send(c, JSON.stringify({ error: 'Channel not supported by this fake', method: m.method, success: false, ...reqId, time_in: timeIn, time_out: isoMicros(Date.now()) }));
      return;
    }
    const syms = Array.isArray(p.symbol) ? (p.symbol as unknown[]).filter((s): s is string => typeof s === 'string') : [];
    const snapshot = p.snapshot === true;
    for (const sym of syms) {
      if (!this.keyOf.has(sym)) {
        this.send(c, JSON.stringify({ error: `Currency pair not supported ${sym}`, method: m.method, success: false, symbol: sym, ...reqId, time_in: timeIn, time_out: isoMicros(Date.now()) }));
        continue;
      }
      if (m.method === 'subscribe') c.subs.add(sym);
      else c.subs.delete(sym);
      this.send(c, JSON.stringify({ method: m.method, result: { channel: 'trade', snapshot, symbol: sym }, success: true, ...reqId, time_in: timeIn, time_out: isoMicros(Date.now()) }));
      if (m.method === 'subscribe' && snapshot) this.send(c, this.frame(sym, this.trades(sym).slice(-50), 'snapshot'));
    }
  }

  protected override heartbeat(c: FakeClient): string | undefined {
    return c.subs.size > 0 ? '{"channel":"heartbeat"}' : undefined;
  }

  protected tradeFrames(_c: FakeClient, symbol: string, trades: FakeTrade[]): string[] {
    return [this.frame(symbol, trades, 'update')];
  }

  private frame(symbol: string, trades: FakeTrade[], type: 'snapshot' | 'update'): string {
    return JSON.stringify({
      channel: 'trade',
      type,
      data: trades.map((t) => ({ symbol, side: t.side, price: t.price, qty: t.qty, ord_type: t.qty > 0.3 ? 'market' : 'limit', trade_id: t.id, timestamp: isoMicros(t.ts) })),
    });
  }

  protected rest(_method: string, url: URL): RestAnswer | undefined {
    switch (url.pathname) {
      case '/0/public/AssetPairs':
        return { body: this.pairs };
      case '/0/public/Time': {
        const now = Date.now();
        return { body: { error: [], result: { unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString() } } };
      }
      case '/0/public/Trades':
      case '/0/public/OHLC':
        break;
      default:
        return undefined;
    }
    const key = url.searchParams.get('pair') ?? '';
    const sym = this.symbolOfKey.get(key);
    if (!sym) return { body: { error: ['EQuery:Unknown asset pair'] } };
    // `since`: seconds, or nanoseconds (the `last` cursor Kraken returns).
    const s = intParam(url, 'since');
    const sinceMs = s === undefined ? -Infinity : s > 1e14 ? s / 1e6 : s * 1000;
    if (url.pathname === '/0/public/Trades') {
      const count = Math.min(intParam(url, 'count') ?? 1000, 1000);
      const list = (s === undefined ? this.trades(sym).slice(-count) : this.trades(sym).filter((t) => t.ts > sinceMs).slice(0, count));
      const last = list.length ? String(list[list.length - 1].ts * 1e6) : String(Date.now() * 1e6);
      const rows = list.map((t) => [String(t.price), t.qty.toFixed(8), t.ts / 1000, t.side === 'buy' ? 'b' : 's', t.qty > 0.3 ? 'm' : 'l', '', t.id]);
      return { body: { error: [], result: { [key]: rows, last } } };
    }
    if (intParam(url, 'interval') !== 1) return { body: { error: ['EGeneral:Invalid arguments'] } };
    // The 720 most recent candles after `since`.
    const list = this.candles(sym).filter((k) => k.ts > sinceMs).slice(-720);
    const rows = list.map((k) => [k.ts / 1000, String(k.open), String(k.high), String(k.low), String(k.close), String(k.quoteVolume / (k.volume || 1)), k.volume.toFixed(8), k.trades]);
    return { body: { error: [], result: { [key]: rows, last: list.length ? list[list.length - 1].ts / 1000 : 0 } } };
  }
}
