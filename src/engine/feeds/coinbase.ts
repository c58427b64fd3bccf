import { VENUE_CAPABILITIES } from './capabilities.js';
import { chunks, emitTrade, isObject, num, parseJson, sample, sideOf, timeMs, type FrameKind, type ParseSink, type VenueProtocol } from './protocol.js';

/**
 * Coinbase Advanced Trade, `market_trades` channel. A subscribe message per channel; the
 * `heartbeats` channel sends a frame every second and keeps the connection open (Coinbase closes
 * idle subscriptions after a minute or so). Acknowledgements arrive on the `subscriptions` channel.
 * A `snapshot` event lists recent trades newest first: they are reported oldest first.
 */
export const coinbaseProtocol: VenueProtocol = {
  caps: VENUE_CAPABILITIES.coinbase,

  connectUrl(base) {
    return base;
  },

  subscribeMessages(wires) {
    const out = chunks(wires, this.caps.maxSymbolsPerSubscribe).map((c) => JSON.stringify({ type: 'subscribe', product_ids: c, channel: 'market_trades' }));
    out.push(JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }));
    return out;
  },

  parse(text: string, sink: ParseSink): FrameKind {
    const m = parseJson(text, sink);
    if (!isObject(m)) {
      if (m !== undefined) sink.drop('unexpected', sample(text));
      return m === undefined ? 'malformed' : 'unexpected';
    }
    switch (m.channel) {
      case 'market_trades': {
        const events = m.events;
        if (!Array.isArray(events)) {
          sink.drop('unexpected', sample(text));
          return 'unexpected';
        }
        for (const ev of events) {
          const trades = isObject(ev) ? ev.trades : undefined;
          if (!Array.isArray(trades)) {
            sink.drop('unexpected', sample(ev));
            continue;
          }
          const newestFirst = ev.type === 'snapshot';
          const n = trades.length;
          for (let k = 0; k < n; k++) {
            const t: unknown = trades[newestFirst ? n - 1 - k : k];
            if (!isObject(t)) {
              sink.drop('bad_trade', sample(t));
              continue;
            }
            emitTrade(sink, t, t.product_id, timeMs(t.time), num(t.price), num(t.size), sideOf(t.side), t.trade_id);
          }
        }
        return 'trades';
      }
      case 'heartbeats':
        return 'heartbeat';
      case 'subscriptions':
        return 'ack';
    }
    if (m.type === 'error') {
      sink.drop('venue_error', sample(text));
      return 'error';
    }
    sink.drop('unexpected', sample(text));
    return 'unexpected';
  },
};
