import { VENUE_CAPABILITIES } from './capabilities.js';
import { chunks, emitTrade, isObject, num, parseJson, sample, sideOf, type FrameKind, type ParseSink, type VenueProtocol } from './protocol.js';

/**
 * OKX v5 public WebSocket, `trades` channel: `{"op":"subscribe","args":[{"channel":"trades",
 * "instId":"BTC-USDT"}]}`, acknowledged per argument with `{"event":"subscribe","arg":{...}}`
 * (`{"event":"error"}` otherwise). Keep-alive is the text `ping`, answered by the text `pong`: OKX
 * drops a connection that has been silent for 30 seconds.
 */
export const okxProtocol: VenueProtocol = {
  caps: VENUE_CAPABILITIES.okx,

  connectUrl(base) {
    return `${base}/public`;
  },

  subscribeMessages(wires) {
    return chunks(wires, this.caps.maxSymbolsPerSubscribe).map((c) => JSON.stringify({ op: 'subscribe', args: c.map((instId) => ({ channel: 'trades', instId })) }));
  },

  pingMessage() {
    return 'ping';
  },

  parse(text: string, sink: ParseSink): FrameKind {
    if (text === 'pong') return 'pong';
    const m = parseJson(text, sink);
    if (!isObject(m)) {
      if (m !== undefined) sink.drop('unexpected', sample(text));
      return m === undefined ? 'malformed' : 'unexpected';
    }
    const arg = m.arg;
    if (Array.isArray(m.data) && isObject(arg) && arg.channel === 'trades') {
      for (const t of m.data as unknown[]) {
        if (!isObject(t)) {
          sink.drop('bad_trade', sample(t));
          continue;
        }
        emitTrade(sink, t, t.instId, num(t.ts), num(t.px), num(t.sz), sideOf(t.side), t.tradeId);
      }
      return 'trades';
    }
    switch (m.event) {
      case 'subscribe':
      case 'unsubscribe':
        return 'ack';
      case 'error':
        sink.drop('venue_error', sample(text));
        return 'error';
    }
    sink.drop('unexpected', sample(text));
    return 'unexpected';
  },
};
