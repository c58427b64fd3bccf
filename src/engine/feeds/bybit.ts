import { VENUE_CAPABILITIES } from './capabilities.js';
import { chunks, emitTrade, isObject, num, parseJson, sample, sideOf, type FrameKind, type ParseSink, type VenueProtocol } from './protocol.js';

const TOPIC = 'publicTrade.';

/**
 * Bybit v5 public WebSocket, `publicTrade.<SYMBOL>` topics: `{"op":"subscribe","args":[...]}`
 * (spot takes at most 10 topics a request), acknowledged with `{"success":true,"op":"subscribe"}`.
 * `{"op":"ping"}` every 20 seconds, answered with `{"ret_msg":"pong","op":"ping"}` (spot) or
 * `{"op":"pong"}` (derivatives).
 */
export const bybitProtocol: VenueProtocol = {
  caps: VENUE_CAPABILITIES.bybit,

  connectUrl(base) {
    return base;
  },

  subscribeMessages(wires) {
    return chunks(wires, this.caps.maxSymbolsPerSubscribe).map((c) => JSON.stringify({ op: 'subscribe', args: c.map((w) => TOPIC + w) }));
  },

  pingMessage() {
    return JSON.stringify({ op: 'ping' });
  },

  parse(text: string, sink: ParseSink): FrameKind {
    const m = parseJson(text, sink);
    if (!isObject(m)) {
      if (m !== undefined) sink.drop('unexpected', sample(text));
      return m === undefined ? 'malformed' : 'unexpected';
    }
    if (typeof m.topic === 'string' && m.topic.startsWith(TOPIC)) {
      if (!Array.isArray(m.data)) {
        sink.drop('unexpected', sample(text));
        return 'unexpected';
      }
      for (const t of m.data as unknown[]) {
        if (!isObject(t)) {
          sink.drop('bad_trade', sample(t));
          continue;
        }
        emitTrade(sink, t, t.s, num(t.T), num(t.p), num(t.v), sideOf(t.S), t.i);
      }
      return 'trades';
    }
    switch (m.op) {
      case 'pong':
        return 'pong';
      case 'ping':
        if (m.ret_msg === 'pong') return 'pong';
        break;
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
