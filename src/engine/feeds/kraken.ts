import { VENUE_CAPABILITIES } from './capabilities.js';
import { chunks, emitTrade, isObject, num, parseJson, sample, sideOf, timeMs, type FrameKind, type ParseSink, type VenueProtocol } from './protocol.js';

/**
 * Kraken spot WebSocket v2, `trade` channel: `{"method":"subscribe","params":{"channel":"trade",
 * "symbol":[...]}}`, acknowledged per symbol (`success` false carries an `error`). A `heartbeat`
 * frame arrives every second while subscribed; `{"method":"ping"}` is answered by
 * `{"method":"pong"}`. Prices and sizes are JSON numbers; symbols are written `BTC/USD`.
 */
export const krakenProtocol: VenueProtocol = {
  caps: VENUE_CAPABILITIES.kraken,

  connectUrl(base) {
    return base;
  },

  subscribeMessages(wires, nextId) {
    return chunks(wires, this.caps.maxSymbolsPerSubscribe).map((c) =>
      JSON.stringify({ method: 'subscribe', params: { channel: 'trade', symbol: c, snapshot: false }, req_id: nextId() }),
    );
  },

  pingMessage(nextId) {
    return JSON.stringify({ method: 'ping', req_id: nextId() });
  },

  parse(text: string, sink: ParseSink): FrameKind {
    const m = parseJson(text, sink);
    if (!isObject(m)) {
      if (m !== undefined) sink.drop('unexpected', sample(text));
      return m === undefined ? 'malformed' : 'unexpected';
    }
    switch (m.channel) {
      case 'trade': {
        const data = m.data;
        if (!Array.isArray(data)) {
          sink.drop('unexpected', sample(text));
          return 'unexpected';
        }
        for (const t of data as unknown[]) {
          if (!isObject(t)) {
            sink.drop('bad_trade', sample(t));
            continue;
          }
          emitTrade(sink, t, t.symbol, timeMs(t.timestamp), num(t.price), num(t.qty), sideOf(t.side), t.trade_id);
        }
        return 'trades';
      }
      case 'heartbeat':
        return 'heartbeat';
      case 'status':
        return 'status';
    }
    switch (m.method) {
      case 'pong':
        return 'pong';
      case 'subscribe':
      case 'unsubscribe':
        if (m.success === true) return 'ack';
        sink.drop('venue_error', sample(text));
        return 'error';
    }
    sink.drop('unexpected', sample(text));
    return 'unexpected';
  },
};
