import { FakeExchange, intParam, type FakeClient, type FakeExchangeOptions, type FakeTrade, type RestAnswer } from './fake-exchange.js';
import { decimalsLike } from './format.js';
import { recordedRest, recordedTemplate } from './recordings.js';

/** Fallback fixtures in Binance's formats, used when the recordings are not next to the project. */
const AGG_TRADE_FIXTURE =
  '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1700000000005,"s":"BTCUSDT","a":100,"p":"37000.00000000","q":"0.01000000","f":200,"l":200,"T":1700000000004,"m":false,"M":true}}';

function symbolFixture(base: string, quote: string): Record<string, unknown> {
  return {
    symbol: base + quote,
    status: 'TRADING',
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
    ],
    permissions: ['SPOT'],
  };
}

const EXCHANGE_INFO_FIXTURE = JSON.stringify({
  timezone: 'UTC',
  serverTime: 1700000000000,
  rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 1200 }],
  exchangeFilters: [],
  symbols: [symbolFixture('BTC', 'USDT'), symbolFixture('ETH', 'USDT'), symbolFixture('ETH', 'BTC'), symbolFixture('SOL', 'USDT')],
});

export interface FakeBinanceOptions extends FakeExchangeOptions {
  /** Use the recorded frames and bodies when present (default); false forces the fixtures. */
  recordings?: boolean;
}

/**
 * Binance spot: the combined endpoint `/stream` (streams in the URL with `?streams=a/b`, or added
 * with SUBSCRIBE), the raw endpoint `/ws/...` (what ccxt pro uses), SUBSCRIBE / UNSUBSCRIBE /
 * LIST_SUBSCRIPTIONS acknowledged with `{"result":...,"id":n}`, server ping frames, and the REST
 * calls ccxt makes for markets and history (exchangeInfo, aggTrades, klines).
 */
export class FakeBinance extends FakeExchange {
  readonly venue = 'binance';
  private readonly template: { stream: string; data: Record<string, unknown> };
  private readonly exchangeInfo: string;
  private readonly bySymbolId = new Map<string, string>();

  constructor(opts: FakeBinanceOptions = {}) {
    super({ heartbeatMs: 0, pingMs: opts.pingMs ?? 20_000, ...opts });
    const rec = opts.recordings !== false;
    this.template = JSON.parse(rec ? recordedTemplate('binance', 'aggTrade', AGG_TRADE_FIXTURE) : AGG_TRADE_FIXTURE) as typeof this.template;
    this.exchangeInfo = rec ? recordedRest('binance', 'rest_00.json', EXCHANGE_INFO_FIXTURE) : EXCHANGE_INFO_FIXTURE;
    const info = JSON.parse(this.exchangeInfo) as { symbols: { symbol: string; baseAsset: string; quoteAsset: string }[] };
    for (const s of info.symbols) this.bySymbolId.set(s.symbol, `${s.baseAsset}/${s.quoteAsset}`);
  }

  /** `BTCUSDT` for `BTC/USDT`. */
  idOf(symbol: string): string {
    return symbol.replace('/', '');
  }

  protected onConnect(c: FakeClient): void {
    const p = c.url.pathname;
    c.mode = p.startsWith('/stream') ? 'combined' : 'raw';
    const streams = c.url.searchParams.get('streams');
    if (streams) for (const s of streams.split('/')) this.subscribe(c, s);
    // /ws/<stream> names one stream in the path.
    if (c.mode === 'raw' && p.includes('@')) this.subscribe(c, p.slice(p.lastIndexOf('/') + 1));
  }

  protected onMessage(c: FakeClient, text: string): void {
    let m: { method?: unknown; params?: unknown; id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(c, JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } }));
      return;
    }
    const id = m.id ?? null;
    const params = Array.isArray(m.params) ? (m.params as unknown[]).filter((p): p is string => typeof p === 'string') : [];
    switch (m.method) {
      case 'SUBSCRIBE':
        for (const p of params) this.subscribe(c, p);
        this.send(c, JSON.stringify({ result: null, id }));
        return;
      case 'UNSUBSCRIBE':
        for (const p of params) {
          const sym = this.symbolOfStream(p);
          if (sym) c.subs.delete(sym);
        }
        this.send(c, JSON.stringify({ result: null, id }));
        return;
      case 'LIST_SUBSCRIPTIONS':
        this.send(c, JSON.stringify({ result: [...c.subs].map((s) => `${this.idOf(s).toLowerCase()}@aggTrade`), id }));
        return;
    }
    this.send(c, JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown variant '${String(m.method)}'` }, id }));
  }

  protected tradeFrames(c: FakeClient, symbol: string, trades: FakeTrade[]): string[] {
    const id = this.idOf(symbol);
    const stream = `${id.toLowerCase()}@aggTrade`;
    const t0 = this.template.data;
    return trades.map((t) => {
      const data = { ...t0, E: t.ts + 1, s: id, a: t.id, p: decimalsLike(String(t0.p), t.price), q: decimalsLike(String(t0.q), t.qty), f: t.id * 3, l: t.id * 3, T: t.ts, m: t.side === 'sell' };
      return JSON.stringify(c.mode === 'combined' ? { stream, data } : data);
    });
  }

  protected rest(_method: string, url: URL): RestAnswer | undefined {
    switch (url.pathname) {
      case '/api/v3/ping':
        return { body: {} };
      case '/api/v3/time':
        return { body: { serverTime: Date.now() } };
      case '/api/v3/exchangeInfo':
        return { body: this.exchangeInfo };
      case '/api/v3/aggTrades':
        return this.aggTrades(url);
      case '/api/v3/klines':
        return this.klines(url);
    }
    return undefined;
  }

  private subscribe(c: FakeClient, stream: string): void {
    const sym = this.symbolOfStream(stream);
    if (sym) c.subs.add(sym);
  }

  private symbolOfStream(stream: string): string | undefined {
    const [id, kind] = stream.split('@');
    if (kind !== 'aggTrade' && kind !== 'trade') return undefined;
    return this.bySymbolId.get(id.toUpperCase());
  }

  private symbolParam(url: URL): string | undefined {
    return this.bySymbolId.get(url.searchParams.get('symbol') ?? '');
  }

  /** Oldest first from startTime (or fromId); the most recent ones without either. Max 1000. */
  private aggTrades(url: URL): RestAnswer {
    const sym = this.symbolParam(url);
    if (!sym) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
    const limit = Math.min(intParam(url, 'limit') ?? 500, 1000);
    const start = intParam(url, 'startTime');
    const end = intParam(url, 'endTime');
    const fromId = intParam(url, 'fromId');
    let list: FakeTrade[];
    if (fromId !== undefined) list = this.trades(sym).filter((t) => t.id >= fromId).slice(0, limit);
    else if (start !== undefined || end !== undefined) list = this.range(sym, start, end).slice(0, limit);
    else list = this.trades(sym).slice(-limit);
    const t0 = this.template.data;
    return {
      body: list.map((t) => ({ a: t.id, p: decimalsLike(String(t0.p), t.price), q: decimalsLike(String(t0.q), t.qty), f: t.id * 3, l: t.id * 3, T: t.ts, m: t.side === 'sell', M: true })),
    };
  }

  /** 1-minute klines, oldest first from startTime (or the most recent). Max 1000. */
  private klines(url: URL): RestAnswer {
    const sym = this.symbolParam(url);
    if (!sym) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
    if (url.searchParams.get('interval') !== '1m') return { status: 400, body: { code: -1120, msg: 'Invalid interval.' } };
    const limit = Math.min(intParam(url, 'limit') ?? 500, 1000);
    const start = intParam(url, 'startTime');
    const end = intParam(url, 'endTime');
    const all = this.candles(sym, start ?? -Infinity, end ?? Infinity);
    const list = start !== undefined ? all.slice(0, limit) : all.slice(-limit);
    const f = (x: number) => x.toFixed(8);
    return {
      body: list.map((k) => [k.ts, f(k.open), f(k.high), f(k.low), f(k.close), f(k.volume), k.ts + 59_999, f(k.quoteVolume), k.trades, f(k.buyVolume), f(k.buyVolume * k.close), '0']),
    };
  }
}
