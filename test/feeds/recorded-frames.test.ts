import { describe, expect, it } from 'vitest';
import type { Side } from '../../src/engine/core/types.js';
import type { FrameKind, ParseSink, VenueProtocol } from '../../src/engine/feeds/protocol.js';
import { recordedFrames } from '../fakes/exchanges/index.js';
import { PROTOCOLS } from './helpers.js';

interface Parsed {
  trades: { wire: string; ts: number; price: number; qty: number; side: Side | undefined; id: string }[];
  drops: string[];
  kinds: FrameKind[];
}

function parseAll(p: VenueProtocol, frames: readonly string[]): Parsed {
  const out: Parsed = { trades: [], drops: [], kinds: [] };
  const sink: ParseSink = {
    trade: (wire, ts, price, qty, side, id) => void out.trades.push({ wire, ts, price, qty, side, id }),
    drop: (kind) => void out.drops.push(kind),
  };
  for (const f of frames) out.kinds.push(p.parse(f, sink));
  return out;
}

/** Recorded frames, or (without the recordings) one frame per kind written in the same format. */
function frames(dir: string, channel: string, fallback: string[]): string[] {
  const rec = recordedFrames(dir, channel);
  return rec.length > 0 ? rec : fallback;
}

describe('venue parsers read the frames venues really send', () => {
  it('Binance aggTrade frames (combined streams) become trades with the taker side', () => {
    const fs = frames('binance', 'aggTrade', ['{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":2,"s":"BTCUSDT","a":7,"p":"1.50000000","q":"2.00000000","f":1,"l":1,"T":1,"m":true,"M":true}}']);
    const r = parseAll(PROTOCOLS.binance, fs);
    expect(r.drops).toEqual([]);
    expect(r.trades).toHaveLength(fs.length);
    for (const [i, f] of fs.entries()) {
      const d = (JSON.parse(f) as { data: { s: string; T: number; p: string; q: string; m: boolean; a: number } }).data;
      expect(r.trades[i]).toEqual({ wire: d.s, ts: d.T, price: Number(d.p), qty: Number(d.q), side: d.m ? 'sell' : 'buy', id: String(d.a) });
    }
  });

  it('Binance subscribe acks and raw (non-combined) frames are understood', () => {
    const r = parseAll(PROTOCOLS.binance, ['{"result":null,"id":1}', '{"e":"aggTrade","E":2,"s":"ETHBTC","a":9,"p":"0.05","q":"1","f":1,"l":1,"T":1,"m":false,"M":true}']);
    expect(r.kinds).toEqual(['ack', 'trades']);
    expect(r.trades[0]).toMatchObject({ wire: 'ETHBTC', side: 'buy', id: '9' });
  });

  it('Coinbase market_trades (snapshots and updates), heartbeats and subscriptions frames', () => {
    const fs = frames('coinbase_advanced_trade', 'market_trades', [
      '{"channel":"market_trades","timestamp":"2025-01-01T00:00:00.1Z","sequence_num":0,"events":[{"type":"snapshot","trades":[{"product_id":"BTC-USD","trade_id":"2","price":"2.00","size":"1","time":"2025-01-01T00:00:00.200000Z","side":"SELL"},{"product_id":"BTC-USD","trade_id":"1","price":"1.00","size":"1","time":"2025-01-01T00:00:00.100000Z","side":"BUY"}]}]}',
    ]);
    const r = parseAll(PROTOCOLS.coinbase, fs);
    expect(r.drops).toEqual([]);
    const expected = fs.flatMap((f) => (JSON.parse(f) as { events: { type: string; trades: { trade_id: string }[] }[] }).events.flatMap((e) => (e.type === 'snapshot' ? [...e.trades].reverse() : e.trades)));
    expect(r.trades.map((t) => t.id)).toEqual(expected.map((t) => t.trade_id));
    // Snapshots arrive newest first; the parser hands them over oldest first.
    const first = fs.findIndex((f) => f.includes('"snapshot"'));
    const snap = r.trades.slice(0, (JSON.parse(fs[first]) as { events: { trades: unknown[] }[] }).events[0].trades.length);
    expect(snap.map((t) => t.ts)).toEqual([...snap.map((t) => t.ts)].sort((a, b) => a - b));
    expect(r.trades.every((t) => t.ts > 1.7e12 && t.price > 0 && (t.side === 'buy' || t.side === 'sell'))).toBe(true);
    const hb = frames('coinbase_advanced_trade', 'heartbeats', ['{"channel":"heartbeats","timestamp":"2025-01-01T00:00:01Z","sequence_num":4,"events":[{"current_time":"x","heartbeat_counter":1}]}']);
    expect(new Set(parseAll(PROTOCOLS.coinbase, hb).kinds)).toEqual(new Set(['heartbeat']));
    const subs = frames('coinbase_advanced_trade', 'subscriptions', ['{"channel":"subscriptions","timestamp":"2025-01-01T00:00:00Z","sequence_num":1,"events":[{"subscriptions":{"market_trades":["BTC-USD"]}}]}']);
    expect(new Set(parseAll(PROTOCOLS.coinbase, subs).kinds)).toEqual(new Set(['ack']));
  });

  it('OKX trades frames and subscribe events', () => {
    const fs = frames('okx', 'trades', [
      '{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"}}',
      '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1.5","sz":"2","side":"sell","ts":"1700000000000"}]}',
    ]);
    const r = parseAll(PROTOCOLS.okx, fs);
    expect(r.drops).toEqual([]);
    const data = fs.filter((f) => f.includes('"data"')).flatMap((f) => (JSON.parse(f) as { data: { instId: string; tradeId: string; px: string; sz: string; side: string; ts: string }[] }).data);
    expect(r.trades).toEqual(data.map((d) => ({ wire: d.instId, ts: Number(d.ts), price: Number(d.px), qty: Number(d.sz), side: d.side, id: d.tradeId })));
    expect(r.kinds.filter((k) => k === 'ack').length).toBe(fs.filter((f) => f.includes('"event":"subscribe"')).length);
    expect(PROTOCOLS.okx.parse('pong', { trade: () => {}, drop: () => {} })).toBe('pong');
  });

  it('Bybit publicTrade frames and subscribe acks', () => {
    const fs = frames('bybit_v5', 'publicTrade', [
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":2,"data":[{"T":1700000000000,"s":"BTCUSDT","S":"Sell","v":"0.004","p":"65114.20","L":"MinusTick","i":"a9","BT":false,"RPI":false,"seq":1}]}',
    ]);
    const r = parseAll(PROTOCOLS.bybit, fs);
    expect(r.drops).toEqual([]);
    const data = fs.flatMap((f) => (JSON.parse(f) as { data: { s: string; T: number; p: string; v: string; S: string; i: string }[] }).data);
    expect(r.trades).toEqual(data.map((d) => ({ wire: d.s, ts: d.T, price: Number(d.p), qty: Number(d.v), side: d.S.toLowerCase(), id: d.i })));
    const acks = frames('bybit_v5', 'subscribe', ['{"success":true,"ret_msg":"","conn_id":"c","req_id":"","op":"subscribe"}']);
    expect(new Set(parseAll(PROTOCOLS.bybit, acks).kinds)).toEqual(new Set(['ack']));
  });

  it('Kraken v2 frames are read; the recorded v1 frames are dropped as unexpected, never crash', () => {
    const v2 = [
      '{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":1}]}',
      '{"method":"subscribe","result":{"channel":"trade","snapshot":false,"symbol":"BTC/USD"},"success":true,"time_in":"2025-01-01T00:00:00.000000Z","time_out":"2025-01-01T00:00:00.000100Z","req_id":1}',
      '{"channel":"heartbeat"}',
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":60000.1,"qty":0.5,"ord_type":"market","trade_id":42,"timestamp":"2025-01-01T00:00:01.123456Z"}]}',
      '{"method":"pong","req_id":2,"time_in":"2025-01-01T00:00:00.000000Z","time_out":"2025-01-01T00:00:00.000100Z"}',
      '{"error":"Currency pair not supported XYZ/USD","method":"subscribe","success":false,"symbol":"XYZ/USD","req_id":3}',
    ];
    const r = parseAll(PROTOCOLS.kraken, v2);
    expect(r.kinds).toEqual(['status', 'ack', 'heartbeat', 'trades', 'pong', 'error']);
    expect(r.trades).toEqual([{ wire: 'BTC/USD', ts: Date.UTC(2025, 0, 1, 0, 0, 1, 123), price: 60000.1, qty: 0.5, side: 'sell', id: '42' }]);
    expect(r.drops).toEqual(['venue_error']);
    const v1 = [...recordedFrames('kraken_v1', 'trade'), ...recordedFrames('kraken_v1', 'heartbeat').slice(0, 3)];
    const old = parseAll(PROTOCOLS.kraken, v1.length ? v1 : ['[993,[["354.1","0.8","1618678142.55","s","l",""]],"trade","XMR/USD"]']);
    expect(old.trades).toEqual([]);
    expect(old.kinds.every((k) => k === 'unexpected')).toBe(true);
  });

  it('GIVEN garbage, wrong shapes and bad numbers THEN every parser drops them by kind and reports no trade', () => {
    const junk = ['', 'not json', '[]', '42', 'null', '{"data":{"e":"aggTrade","p":"abc","q":"1","T":1,"s":"X"}}', '{"channel":"market_trades","events":"x"}', '{"arg":{"channel":"trades"},"data":[{"px":"-1","sz":"1","ts":"1","instId":"A"}]}', '{"topic":"publicTrade.X","data":[null]}', '{"channel":"trade","data":[{"symbol":"A","price":"NaN","qty":1,"timestamp":"x"}]}'];
    for (const p of Object.values(PROTOCOLS)) {
      const r = parseAll(p, junk);
      expect(r.trades).toEqual([]);
      expect(r.drops.length).toBeGreaterThanOrEqual(junk.length - 1);
      expect(r.kinds.every((k) => k === 'malformed' || k === 'unexpected' || k === 'trades')).toBe(true);
    }
  });
});
