import { VENUE_CAPABILITIES } from './capabilities.js';
import { chunks, emitTrade, isObject, num, parseJson, sample, type FrameKind, type ParseSink, type VenueProtocol } from './protocol.js';

/**
 * Binance spot, aggregate trade streams (`<symbol>@aggTrade`: one message per taker order and
 * price, the stream Binance's own recordings carry). Connects to the combined endpoint `/stream`
 * and subscribes with the SUBSCRIBE method (acknowledged with `{"result":null,"id":n}`); frames
 * arrive as `{"stream":"btcusdt@aggTrade","data":{...}}`. Raw frames (the `/ws` endpoint) are read
 * too. The server pings with WebSocket ping frames, answered by the ws library.
 */
export const binanceProtocol: VenueProtocol = {
  caps: VENUE_CAPABILITIES.binance,

  connectUrl(base) {
    return `${base}/stream`;
  },

  subscribeMessages(wires, nextId) {
    return chunks(wires, this.caps.maxSymbolsPerSubscribe).map((c) =>
      JSON.stringify({ method: 'SUBSCRIBE', params: c.map((w) => `${w.toLowerCase()}@aggTrade`), id: nextId() }),
    );
  },

  parse(text: string, sink: ParseSink): FrameKind {
    const m = parseJson(text, sink);
    if (!isObject(m)) {
      if (m !== undefined) sink.drop('unexpected', sample(text));
      return m === undefined ? 'malformed' : 'unexpected';
    }
    const d = isObject(m.data) ? m.data : m;
    if (d.e === 'aggTrade') {
      // m: the buyer was the maker, so the taker sold.
      emitTrade(sink, d, d.s, num(d.T), num(d.p), num(d.q), d.m === true ? 'sell' : d.m === false ? 'buy' : undefined, d.a);
      return 'trades';
    }
    if ('id' in m && 'result' in m) return 'ack';
    if (isObject(m.error)) {
      sink.drop('venue_error', sample(text));
      return 'error';
    }
    sink.drop('unexpected', sample(text));
    return 'unexpected';
  },
};
