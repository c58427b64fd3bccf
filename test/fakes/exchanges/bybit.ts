import { FakeExchange, intParam, type FakeClient, type FakeExchangeOptions, type FakeTrade, type RestAnswer } from './fake-exchange.js';
import { decimalsLike } from './format.js';
import { recordedRest, recordedTemplate } from './recordings.js';

const DIR = 'bybit_v5';

/** Fallback fixtures in Bybit v5's formats. */
const TRADE_FIXTURE =
  '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1700000000001,"data":[{"T":1700000000000,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"60000.10","L":"PlusTick","i":"00000000-0000-5000-8000-000000000100","BT":false,"RPI":false,"seq":100}]}';
const ACK_FIXTURE = '{"success":true,"ret_msg":"","conn_id":"fake-conn-0","req_id":"","op":"subscribe"}';

function instrumentFixture(base: string, quote: string): Record<string, unknown> {
  return {
    symbol: base + quote,
    baseCoin: base,
    quoteCoin: quote,
    innovation: '0',
    status: 'Trading',
    marginTrading: 'utaOnly',
    lotSizeFilter: { basePrecision: '0.000001', quotePrecision: '0.0000001', minOrderQty: '0.000001', maxOrderQty: '230', minOrderAmt: '5', maxOrderAmt: '8000000' },
    priceFilter: { tickSize: '0.1' },
  };
}

const INSTRUMENTS_FIXTURE = JSON.stringify({
  retCode: 0,
  retMsg: 'OK',
  result: { category: 'spot', list: ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'ADA', 'LTC', 'DOT', 'LINK', 'TRX', 'AVAX', 'BCH'].map((base) => instrumentFixture(base, 'USDT')) },
  retExtInfo: {},
  time: 1700000000000,
});

/** Spot accepts at most this many topics in one subscribe request. */
const MAX_ARGS = 10;

export interface FakeBybitOptions extends FakeExchangeOptions {
  recordings?: boolean;
}

/**
 * Bybit v5 public spot WebSocket: `{"op":"subscribe","args":["publicTrade.BTCUSDT"]}` (at most 10
 * topics a request) acknowledged with the recorded `{"success":true,...,"op":"subscribe"}`,
 * `{"op":"ping"}` answered with `ret_msg: "pong"`. REST: instruments-info, recent-trade (newest
 * first, at most 60 for spot), kline (newest first).
 */
export class FakeBybit extends FakeExchange {
  readonly venue = 'bybit';
  private readonly frame0: { topic: string; type: string; ts: number; data: Record<string, unknown>[] };
  private readonly ack0: Record<string, unknown>;
  private readonly spot: string;
  private readonly bySymbolId = new Map<string, string>();

  constructor(opts: FakeBybitOptions = {}) {
    super({ heartbeatMs: 0, ...opts });
    const rec = opts.recordings !== false;
    this.frame0 = JSON.parse(rec ? recordedTemplate(DIR, 'publicTrade', TRADE_FIXTURE) : TRADE_FIXTURE) as typeof this.frame0;
    this.ack0 = JSON.parse(rec ? recordedTemplate(DIR, 'subscribe', ACK_FIXTURE) : ACK_FIXTURE) as Record<string, unknown>;
    this.spot = rec ? recordedRest(DIR, 'rest_01.json', INSTRUMENTS_FIXTURE) : INSTRUMENTS_FIXTURE;
    for (const i of (JSON.parse(this.spot) as { result: { list: { symbol: string; baseCoin: string; quoteCoin: string }[] } }).result.list) {
      this.bySymbolId.set(i.symbol, `${i.baseCoin}/${i.quoteCoin}`);
    }
  }

  idOf(symbol: string): string {
    return symbol.replace('/', '');
  }

  protected onConnect(_c: FakeClient): void {}

  protected onMessage(c: FakeClient, text: string): void {
    const connId = `fake-conn-${this.counters.connections}`;
    let m: { op?: unknown; args?: unknown; req_id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(c, JSON.stringify({ success: false, ret_msg: `error:invalid json`, conn_id: connId, req_id: '', op: '' }));
      return;
    }
    const reqId = typeof m.req_id === 'string' ? m.req_id : '';
    if (m.op === 'ping') {
      this.send(c, JSON.stringify({ success: true, ret_msg: 'pong', conn_id: connId, req_id: reqId, op: 'ping' }));
      return;
    }
    if (m.op !== 'subscribe' && m.op !== 'unsubscribe') {
      this.send(c, JSON.stringify({ success: false, ret_msg: `error:handler not found,op:${String(m.op)}`, conn_id: connId, req_id: reqId, op: m.op }));
      return;
    }
    const args = Array.isArray(m.args) ? (m.args as unknown[]).filter((a): a is string => typeof a === 'string') : [];
    if (args.length > MAX_ARGS) {
      this.send(c, JSON.stringify({ ...this.ack0, success: false, ret_msg: `args size >${MAX_ARGS}`, conn_id: connId, req_id: reqId, op: m.op }));
      return;
    }
    const bad: string[] = [];
    for (const a of args) {
      const [topic, id] = a.split('.');
      const sym = topic === 'publicTrade' ? this.bySymbolId.get(id ?? '') : undefined;
      if (!sym) {
        bad.push(a);
        continue;
      }
      if (m.op === 'subscribe') c.subs.add(sym);
      else c.subs.delete(sym);
    }
    const ok = bad.length === 0;
    this.send(c, JSON.stringify({ ...this.ack0, success: ok, ret_msg: ok ? '' : `Invalid symbol :[${bad.join(',')}]`, conn_id: connId, req_id: reqId, op: m.op }));
  }

  protected tradeFrames(_c: FakeClient, symbol: string, trades: FakeTrade[]): string[] {
    const id = this.idOf(symbol);
    const last = trades[trades.length - 1];
    return [JSON.stringify({ ...this.frame0, topic: `publicTrade.${id}`, type: 'snapshot', ts: last.ts + 1, data: trades.map((t) => this.tradeJson(id, t)) })];
  }

  private tradeJson(id: string, t: FakeTrade): Record<string, unknown> {
    const t0 = this.frame0.data[0];
    return { ...t0, T: t.ts, s: id, S: t.side === 'buy' ? 'Buy' : 'Sell', v: decimalsLike(String(t0.v), t.qty), p: decimalsLike(String(t0.p), t.price), i: execId(t.id), seq: t.id };
  }

  protected rest(_method: string, url: URL): RestAnswer | undefined {
    const ok = (result: unknown) => ({ body: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: Date.now() } });
    switch (url.pathname) {
      case '/v5/market/time': {
        const now = Date.now();
        return ok({ timeSecond: String(Math.floor(now / 1000)), timeNano: String(now * 1e6) });
      }
      case '/v5/market/instruments-info':
        if (url.searchParams.get('category') === 'spot') return { body: this.spot };
        return ok({ category: url.searchParams.get('category'), list: [] });
      case '/v5/market/recent-trade':
      case '/v5/market/kline':
        break;
      default:
        return undefined;
    }
    const id = url.searchParams.get('symbol') ?? '';
    const sym = this.bySymbolId.get(id);
    if (!sym) return { body: { retCode: 10001, retMsg: 'Not supported symbols', result: {}, retExtInfo: {}, time: Date.now() } };
    if (url.pathname === '/v5/market/recent-trade') {
      const limit = Math.min(intParam(url, 'limit') ?? 60, 60);
      const list = this.trades(sym).slice(-limit).reverse();
      return ok({
        category: 'spot',
        list: list.map((t) => ({ execId: execId(t.id), symbol: id, price: String(t.price), size: String(t.qty), side: t.side === 'buy' ? 'Buy' : 'Sell', time: String(t.ts), isBlockTrade: false, isRPITrade: false, seq: String(t.id) })),
      });
    }
    if (url.searchParams.get('interval') !== '1') return { body: { retCode: 10001, retMsg: 'Invalid period', result: {}, retExtInfo: {}, time: Date.now() } };
    const limit = Math.min(intParam(url, 'limit') ?? 200, 1000);
    const list = this.candles(sym, intParam(url, 'start') ?? -Infinity, intParam(url, 'end') ?? Infinity).slice(-limit).reverse();
    const s = (x: number) => String(x);
    return ok({ symbol: id, category: 'spot', list: list.map((k) => [s(k.ts), s(k.open), s(k.high), s(k.low), s(k.close), s(k.volume), s(k.quoteVolume)]) });
  }
}

/** Bybit trade ids are UUIDs; ours encode the fake's integer id. */
function execId(n: number): string {
  return `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;
}
