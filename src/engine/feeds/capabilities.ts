/**
 * What differs between venues, as data. Shared code reads these fields and never asks which venue
 * it is talking to; each venue's frame formats live in its own protocol file (binance.ts, ...).
 * Sources: each venue's public WebSocket and REST documentation; where a venue sets no hard
 * limit we chose a conservative one and say so.
 */

/** How a venue writes a unified `BASE/QUOTE` symbol on the wire. */
export interface SymbolFormat {
  /** Between base and quote: '' (BTCUSDT), '-' (BTC-USDT), '/' (BTC/USD). */
  separator: string;
  case: 'upper' | 'lower';
}

/** How the feed keeps a connection alive and notices a dead one. */
export type PingKind =
  /** WebSocket protocol ping frames (the venue answers with pong frames). */
  | 'ws-frame'
  /** An application message (text or JSON) that the venue answers with its own pong message. */
  | 'app';

export interface VenueCapabilities {
  /** Our venue id, also the ccxt id. */
  id: string;
  /** Public WebSocket base URL (overridable: `exchanges.<id>.wsUrl`). */
  wsUrl: string;
  /** REST base URL (overridable: `exchanges.<id>.restUrl`). */
  restUrl: string;
  /** Symbols carried by one connection; more symbols open more connections. */
  maxSymbolsPerConnection: number;
  /** Symbols per subscribe message. */
  maxSymbolsPerSubscribe: number;
  /** Smallest spacing between two messages we send on one connection (venue rate limits). */
  minSendIntervalMs: number;
  ping: PingKind;
  /** We ping this often, whatever else flows (venues drop idle connections). */
  pingIntervalMs: number;
  /**
   * The longest normal silence on a healthy connection (no frame of any kind, pongs included).
   * Longer than this, the watchdog declares the connection dead and reconnects.
   */
  silenceMs: number;
  /**
   * The venue cuts connections after this lifetime (Binance: 24 hours). We rotate a little
   * before, opening the new connection before closing the old one. Infinity: no limit.
   */
  maxConnectionMs: number;
  symbolFormat: SymbolFormat;
  /**
   * How REST trade history pages: 'forward' (from `since` onwards, oldest first), 'backward'
   * (newest first up to `until`: page back by moving `until`), or 'recent' (only the most recent
   * trades are served: a long gap is filled with 1-minute candles instead).
   */
  tradesPaging: 'forward' | 'backward' | 'recent';
  /** Whether ccxt takes an `until` parameter for this venue's trades and candles (others would send it to the venue). */
  ccxtUntil: boolean;
  /** Most trades one REST request returns. */
  maxTradesPerRequest: number;
  /** Most candles one REST request returns. */
  maxCandlesPerRequest: number;
  /**
   * How ccxt reaches this venue's REST API at a given base URL: a deep-merge into the ccxt
   * exchange's `urls`, where the text `{rest}` stands for the base URL.
   */
  ccxtUrls: Record<string, unknown>;
  /** How ccxt pro reaches this venue's WebSocket at a given base URL (`{ws}` stands for it). */
  ccxtWsUrls: Record<string, unknown>;
  /** ccxt options for this venue (e.g. load spot markets only). */
  ccxtOptions: Record<string, unknown>;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A rotation happens this long before a venue's hard connection lifetime ends. */
export const ROTATION_MARGIN_MS = 10 * MINUTE;

export const VENUE_CAPABILITIES = {
  binance: {
    id: 'binance',
    wsUrl: 'wss://stream.binance.com:9443',
    restUrl: 'https://api.binance.com',
    // 1,024 streams per connection; 5 incoming messages per second.
    maxSymbolsPerConnection: 1024,
    maxSymbolsPerSubscribe: 200,
    minSendIntervalMs: 250,
    // The server pings every 20 s and the ws library answers; our own pings prove the path both ways.
    ping: 'ws-frame',
    pingIntervalMs: 20 * SECOND,
    silenceMs: 60 * SECOND,
    // A connection is only valid for 24 hours.
    maxConnectionMs: 24 * HOUR,
    // Frames carry BTCUSDT; stream names are lower case (btcusdt@aggTrade).
    symbolFormat: { separator: '', case: 'upper' },
    tradesPaging: 'forward',
    ccxtUntil: true,
    maxTradesPerRequest: 1000,
    maxCandlesPerRequest: 1000,
    ccxtUrls: { api: { public: '{rest}/api/v3' } },
    ccxtWsUrls: { api: { ws: { spot: '{ws}/ws' } } },
    ccxtOptions: { fetchMarkets: { types: ['spot'] }, watchTrades: { name: 'aggTrade' }, watchTradesForSymbols: { name: 'aggTrade' } },
  },
  coinbase: {
    id: 'coinbase',
    wsUrl: 'wss://advanced-trade-ws.coinbase.com',
    restUrl: 'https://api.coinbase.com',
    // No documented per-connection limit; we keep connections small so one failure stays local.
    maxSymbolsPerConnection: 100,
    maxSymbolsPerSubscribe: 100,
    minSendIntervalMs: 150,
    // No ping message: the heartbeats channel sends a frame every second and keeps the
    // connection open (idle channels are closed after 60-90 s otherwise).
    ping: 'ws-frame',
    pingIntervalMs: 30 * SECOND,
    silenceMs: 15 * SECOND,
    maxConnectionMs: Infinity,
    symbolFormat: { separator: '-', case: 'upper' },
    tradesPaging: 'backward',
    ccxtUntil: true,
    maxTradesPerRequest: 1000,
    maxCandlesPerRequest: 350,
    ccxtUrls: { api: { rest: '{rest}' } },
    ccxtWsUrls: { api: { ws: '{ws}' } },
    ccxtOptions: {},
  },
  kraken: {
    id: 'kraken',
    wsUrl: 'wss://ws.kraken.com/v2',
    restUrl: 'https://api.kraken.com',
    // No documented per-connection limit; our choice.
    maxSymbolsPerConnection: 200,
    maxSymbolsPerSubscribe: 50,
    minSendIntervalMs: 100,
    // {"method":"ping"} answered by {"method":"pong"}; a heartbeat arrives every second.
    ping: 'app',
    pingIntervalMs: 20 * SECOND,
    silenceMs: 15 * SECOND,
    maxConnectionMs: Infinity,
    symbolFormat: { separator: '/', case: 'upper' },
    tradesPaging: 'forward',
    ccxtUntil: false,
    maxTradesPerRequest: 1000,
    maxCandlesPerRequest: 720,
    ccxtUrls: { api: { public: '{rest}', private: '{rest}' } },
    ccxtWsUrls: { api: { ws: { publicV2: '{ws}' } } },
    ccxtOptions: {},
  },
  okx: {
    id: 'okx',
    // The v5 base: public channels are at /public (the same base ccxt pro takes).
    wsUrl: 'wss://ws.okx.com:8443/ws/v5',
    restUrl: 'https://www.okx.com',
    // Subscribe messages must stay under 64 KB; 480 subscribe requests an hour per connection.
    maxSymbolsPerConnection: 200,
    maxSymbolsPerSubscribe: 100,
    minSendIntervalMs: 350,
    // The text "ping", answered by "pong"; the venue drops a connection silent for 30 s.
    ping: 'app',
    pingIntervalMs: 20 * SECOND,
    silenceMs: 45 * SECOND,
    maxConnectionMs: Infinity,
    symbolFormat: { separator: '-', case: 'upper' },
    tradesPaging: 'recent',
    ccxtUntil: true,
    maxTradesPerRequest: 500,
    maxCandlesPerRequest: 300,
    ccxtUrls: { api: { rest: '{rest}' } },
    ccxtWsUrls: { api: { ws: '{ws}' } },
    ccxtOptions: { fetchMarkets: { types: ['spot'] } },
  },
  bybit: {
    id: 'bybit',
    wsUrl: 'wss://stream.bybit.com/v5/public/spot',
    restUrl: 'https://api.bybit.com',
    // Spot: at most 10 topics per subscribe request.
    maxSymbolsPerConnection: 200,
    maxSymbolsPerSubscribe: 10,
    minSendIntervalMs: 100,
    // {"op":"ping"} every 20 s, as the venue recommends; it answers with a pong message.
    ping: 'app',
    pingIntervalMs: 20 * SECOND,
    silenceMs: 45 * SECOND,
    maxConnectionMs: Infinity,
    symbolFormat: { separator: '', case: 'upper' },
    tradesPaging: 'recent',
    ccxtUntil: false,
    maxTradesPerRequest: 60,
    maxCandlesPerRequest: 1000,
    ccxtUrls: { api: { spot: '{rest}', futures: '{rest}', v2: '{rest}', public: '{rest}', private: '{rest}' } },
    ccxtWsUrls: { api: { ws: { public: { spot: '{ws}' } } } },
    ccxtOptions: { fetchMarkets: { types: ['spot'] } },
  },
} as const satisfies Record<string, VenueCapabilities>;

export type NativeVenueId = keyof typeof VENUE_CAPABILITIES;

export const NATIVE_VENUES = Object.keys(VENUE_CAPABILITIES) as NativeVenueId[];

export function isNativeVenue(id: string): id is NativeVenueId {
  return Object.prototype.hasOwnProperty.call(VENUE_CAPABILITIES, id);
}

/** `BTC/USDT` on the wire of a venue. */
export function wireSymbol(symbol: string, f: SymbolFormat): string {
  const i = symbol.indexOf('/');
  const s = i < 0 ? symbol : symbol.slice(0, i) + f.separator + symbol.slice(i + 1);
  return f.case === 'upper' ? s.toUpperCase() : s.toLowerCase();
}

/** Replaces `{key}` in every string of a nested object (URL templates). */
export function fillTemplate<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string') return value.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m) as T;
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, vars)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillTemplate(v, vars);
    return out as T;
  }
  return value;
}

/** Strips a trailing slash so that templates can append paths. */
export function trimUrl(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
