import { FakeExchange, intParam, type FakeClient, type FakeExchangeOptions, type FakeTrade, type RestAnswer } from './fake-exchange.js';
import { decimalsLike } from './format.js';
import { recordedFrames, recordedRest } from './recordings.js';

/** Fallback fixtures in OKX v5's formats. */
const TRADE_FIXTURE = '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"100","px":"60000.1","sz":"0.001","side":"buy","ts":"1700000000000"}]}';
const ACK_FIXTURE = '{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"}}';

function instrumentFixture(base: string, quote: string): Record<string, unknown> {
  return {
    alias: '',
    baseCcy: base,
    category: '1',
    ctMult: '',
    ctType: '',
    ctVal: '',
    ctValCcy: '',
    expTime: '',
    instId: `${base}-${quote}`,
    instType: 'SPOT',
    lever: '10',
    listTime: '1548133413000',
    lotSz: '0.00000001',
    maxLmtSz: '9999999999',
    maxMktSz: '1000000',
    minSz: '0.00001',
    optType: '',
    quoteCcy: quote,
    settleCcy: '',
    state: 'live',
    stk: '',
    tickSz: '0.1',
    uly: '',
  };
}

const INSTRUMENTS_FIXTURE = JSON.stringify({
  code: '0',
  data: [instrumentFixture('BTC', 'USDT'), instrumentFixture('ETH', 'USDT'), instrumentFixture('SOL', 'USDT')],
  msg: '',
});

const REST_BY_TYPE: Record<string, string> = { SPOT: 'rest_00.json', SWAP: 'rest_01.json', FUTURES: 'rest_02.json' };

export interface FakeOkxOptions extends FakeExchangeOptions {
  recordings?: boolean;
  /** OKX drops a connection when nothing has come from the client for 30 seconds. */
  idleLimitMs?: number;
}

/**
 * OKX v5 public WebSocket: `{"op":"subscribe","args":[{"channel":"trades","instId":...}]}`
 * acknowledged per argument with `{"event":"subscribe","arg":{...}}` (`{"event":"error"}` for an
 * unknown instrument), the text `ping` answered with `pong`, and idle connections dropped. REST:
 * instruments, recent trades (newest first, at most 500), 1-minute candles (newest first).
 */
export class FakeOkx extends FakeExchange {
  readonly venue = 'okx';
  private readonly frame0: { arg: Record<string, unknown>; data: Record<string, unknown>[] };
  private readonly ack0: Record<string, unknown>;
  private readonly rec: boolean;
  private readonly known = new Set<string>();
  private readonly spot: string;
  private readonly idleLimitMs: number;

  constructor(opts: FakeOkxOptions = {}) {
    super({ heartbeatMs: 1_000, ...opts });
    this.rec = opts.recordings !== false;
    const frames = this.rec ? recordedFrames('okx', 'trades') : [];
    this.frame0 = JSON.parse(frames.find((f) => f.includes('"data"')) ?? TRADE_FIXTURE) as typeof this.frame0;
    this.ack0 = JSON.parse(frames.find((f) => f.includes('"event":"subscribe"')) ?? ACK_FIXTURE) as Record<string, unknown>;
    this.spot = this.rec ? recordedRest('okx', REST_BY_TYPE.SPOT, INSTRUMENTS_FIXTURE) : INSTRUMENTS_FIXTURE;
    for (const i of (JSON.parse(this.spot) as { data: { instId: string }[] }).data) this.known.add(i.instId);
    this.idleLimitMs = opts.idleLimitMs ?? 30_000;
  }

  idOf(symbol: string): string {
    return symbol.replace('/', '-');
  }

  private symbolOf(id: string): string | undefined {
    return this.known.has(id) ? id.replace('-', '/') : undefined;
  }

  protected onConnect(_c: FakeClient): void {}

  /** The heartbeat timer doubles as the idle check: OKX closes connections nobody pings. */
  protected override heartbeat(c: FakeClient): string | undefined {
    if (Date.now() - c.lastMessageAt > this.idleLimitMs) c.ws.close(4004, 'No data received in 30s.');
    return undefined;
  }

  protected onMessage(c: FakeClient, text: string): void {
    if (text === 'ping') {
      this.send(c, 'pong');
      return;
    }
    let m: { op?: unknown; args?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.send(c, JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text}` }));
      return;
    }
    if ((m.op !== 'subscribe' && m.op !== 'unsubscribe') || !Array.isArray(m.args)) {
      this.send(c, JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text}` }));
      return;
    }
    for (const a of m.args as { channel?: unknown; instId?: unknown }[]) {
      const sym = typeof a.instId === 'string' ? this.symbolOf(a.instId) : undefined;
      if (a.channel !== 'trades' || !sym) {
        this.send(c, JSON.stringify({ event: 'error', code: '60018', msg: `Wrong URL or channel:${String(a.channel)},instId:${String(a.instId)} doesn't exist.` }));
        continue;
      }
      if (m.op === 'subscribe') c.subs.add(sym);
      else c.subs.delete(sym);
      this.send(c, JSON.stringify({ ...this.ack0, event: m.op, arg: { channel: 'trades', instId: a.instId } }));
    }
  }

  protected tradeFrames(_c: FakeClient, symbol: string, trades: FakeTrade[]): string[] {
    const instId = this.idOf(symbol);
    return trades.map((t) => JSON.stringify({ arg: { ...this.frame0.arg, instId }, data: [this.tradeJson(instId, t)] }));
  }

  private tradeJson(instId: string, t: FakeTrade): Record<string, unknown> {
    const t0 = this.frame0.data[0];
    return { ...t0, instId, tradeId: String(t.id), px: decimalsLike(String(t0.px), t.price), sz: decimalsLike(String(t0.sz), t.qty), side: t.side, ts: String(t.ts) };
  }

  protected rest(_method: string, url: URL): RestAnswer | undefined {
    switch (url.pathname) {
      case '/api/v5/public/instruments': {
        const type = url.searchParams.get('instType') ?? '';
        if (type === 'SPOT') return { body: this.spot };
        const file = REST_BY_TYPE[type];
        return { body: this.rec && file ? recordedRest('okx', file, '{"code":"0","data":[],"msg":""}') : { code: '0', data: [], msg: '' } };
      }
      case '/api/v5/public/time':
        return { body: { code: '0', msg: '', data: [{ ts: String(Date.now()) }] } };
      case '/api/v5/market/trades':
      case '/api/v5/market/candles':
      case '/api/v5/market/history-candles':
        break;
      default:
        return undefined;
    }
    const instId = url.searchParams.get('instId') ?? '';
    const sym = this.symbolOf(instId);
    if (!sym) return { body: { code: '51001', msg: "Instrument ID doesn't exist.", data: [] } };
    if (url.pathname === '/api/v5/market/trades') {
      const limit = Math.min(intParam(url, 'limit') ?? 100, 500);
      return { body: { code: '0', msg: '', data: this.trades(sym).slice(-limit).reverse().map((t) => this.tradeJson(instId, t)) } };
    }
    if (url.searchParams.get('bar') !== '1m') return { body: { code: '51000', msg: 'Parameter bar error', data: [] } };
    // after: older than; before: newer than. Newest first, at most 300 (100 for history).
    const after = intParam(url, 'after') ?? Infinity;
    const before = intParam(url, 'before') ?? -Infinity;
    const max = url.pathname.endsWith('history-candles') ? 100 : 300;
    const limit = Math.min(intParam(url, 'limit') ?? 100, max);
    const list = this.candles(sym).filter((k) => k.ts < after && k.ts > before).slice(-limit).reverse();
    const nowMinute = Date.now() - (Date.now() % 60_000);
    const s = (x: number) => String(x);
    return { body: { code: '0', msg: '', data: list.map((k) => [s(k.ts), s(k.open), s(k.high), s(k.low), s(k.close), s(k.volume), s(k.quoteVolume), s(k.quoteVolume), k.ts < nowMinute ? '1' : '0']) } };
  }
}
