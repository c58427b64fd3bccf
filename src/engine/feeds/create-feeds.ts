import type { Exchange } from 'ccxt';
import type { Clock } from '../ports/clock.js';
import { silentLog, type Feed, type FeedCounters, type FeedLog, type StatusListener, type StatusSource, type StreamStatus, type StreamStatusInfo } from '../ports/feed.js';
import type { TickSink } from '../ports/tick-sink.js';
import { errText, type BackfillOptions } from './backfill.js';
import { binanceProtocol } from './binance.js';
import { bybitProtocol } from './bybit.js';
import { isNativeVenue, VENUE_CAPABILITIES, type NativeVenueId } from './capabilities.js';
import { CcxtHistory, LONG_TAIL_PAGING } from './ccxt-history.js';
import { CcxtProFeed } from './ccxt-pro-feed.js';
import type { ResumeFrom } from './feed-core.js';
import { createCcxtExchange, type CcxtEndpoints } from './ccxt-exchange.js';
import { coinbaseProtocol } from './coinbase.js';
import { krakenProtocol } from './kraken.js';
import { okxProtocol } from './okx.js';
import type { VenueProtocol } from './protocol.js';
import { MarketCatalog, marketsOf, type MarketLoader } from './symbols.js';
import { WsFeed, type FeedTuning } from './ws-feed.js';

/** The native protocols, by venue id. */
export const NATIVE_PROTOCOLS: Readonly<Record<NativeVenueId, VenueProtocol>> = {
  binance: binanceProtocol,
  coinbase: coinbaseProtocol,
  kraken: krakenProtocol,
  okx: okxProtocol,
  bybit: bybitProtocol,
};

/** `exchanges.<id>` in config.yaml. The id is a ccxt exchange id. */
export interface ExchangeFeedConfig {
  /** Default true. */
  enabled?: boolean | undefined;
  /** Symbols as people write them (`btc/usdt`, `BTCUSDT`, `eth`): resolved against the venue's markets. */
  symbols: string[];
  /** WebSocket base URL override (proxies, tests). */
  wsUrl?: string | undefined;
  /** REST base URL override (proxies, tests). */
  restUrl?: string | undefined;
  /** false: use ccxt pro even for a venue with a native adapter (a fallback if the venue changes its format). Default true. */
  native?: boolean | undefined;
  /** Raw ccxt constructor settings, deep-merged last (`urls`, `options`, `timeout`, ...). Never put keys here: market data is public. */
  ccxt?: Record<string, unknown> | undefined;
}

export interface FeedsConfig {
  exchanges: Record<string, ExchangeFeedConfig>;
  /** Reconnect, watchdog and buffer tuning (defaults: FEED_TUNING_DEFAULTS). */
  tuning?: Partial<FeedTuning> | undefined;
  /** Warm start and gap backfill (defaults: BACKFILL_DEFAULTS). */
  backfill?: Partial<BackfillOptions> | undefined;
}

export interface FeedsDeps {
  clock: Clock;
  log?: FeedLog | undefined;
  /**
   * Where each stream's data already ends in the sink (windows restored from a snapshot), so that
   * the first backfill fills the gap from there rather than warming the stream afresh.
   */
  resumeFrom?: ResumeFrom | undefined;
  /** Builds ccxt clients; tests may substitute. Default: createCcxtExchange. */
  ccxt?: ((id: string, pro: boolean, e: CcxtEndpoints) => Promise<Exchange>) | undefined;
}

/** A configuration problem found at start: a symbol no market matches, a venue ccxt does not know. */
export interface FeedProblem {
  venue: string;
  symbol?: string | undefined;
  message: string;
  suggestions?: string[] | undefined;
}

/** Every venue's feed, as one object for the composition root, status output and metrics. */
export interface FeedSet extends StatusSource {
  readonly feeds: readonly Feed[];
  readonly catalog: MarketCatalog;
  readonly problems: readonly FeedProblem[];
  /** Loads markets, resolves the configured symbols, builds and starts every feed. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Watches a symbol (already resolved, unified) on a configured venue, warmed from REST history. */
  watch(venue: string, symbol: string): void;
  statuses(): StreamStatusInfo[];
  onStatus(fn: StatusListener): () => void;
  counters(): Record<string, FeedCounters>;
}

interface Venue {
  id: string;
  cfg: ExchangeFeedConfig;
  rest: Exchange;
  feed: Feed | null;
}

/**
 * Builds the feeds the configuration asks for: the native adapter for Binance, Coinbase, Kraken,
 * OKX and Bybit, ccxt pro for any other ccxt exchange id; ccxt REST clients for markets, gap
 * backfill and warm start. Nothing connects before start().
 */
export function createFeeds(config: FeedsConfig, sink: TickSink, deps: FeedsDeps): FeedSet {
  const log = deps.log ?? silentLog;
  const make = deps.ccxt ?? createCcxtExchange;
  const venues: Venue[] = [];
  const loaders = new Map<string, MarketLoader>();
  const feeds: Feed[] = [];
  const problems: FeedProblem[] = [];
  const listeners = new Set<StatusListener>();
  const enabled = Object.entries(config.exchanges).filter(([, c]) => c.enabled !== false);
  const rest = new Map<string, Promise<Exchange>>();
  const restOf = (id: string, c: ExchangeFeedConfig) => {
    let p = rest.get(id);
    if (!p) {
      p = make(id, false, { restUrl: c.restUrl, config: c.ccxt });
      rest.set(id, p);
    }
    return p;
  };
  for (const [id, c] of enabled) {
    let loaded = 0;
    loaders.set(id, async () => marketsOf(await (await restOf(id, c)).loadMarkets(loaded++ > 0)));
  }
  const catalog = new MarketCatalog(loaders, deps.clock, log);
  const byId = (id: string) => venues.find((v) => v.id === id);

  async function build(id: string, c: ExchangeFeedConfig): Promise<Venue | null> {
    let restEx: Exchange;
    try {
      restEx = await restOf(id, c);
    } catch (err) {
      problems.push({ venue: id, message: errText(err) });
      log.error({ venue: id, err: errText(err) }, `exchange ${id} is not available`);
      return null;
    }
    const symbols = await resolveAll(id, c.symbols);
    const native = isNativeVenue(id) && c.native !== false;
    const history = new CcxtHistory(restEx, id, native ? VENUE_CAPABILITIES[id as NativeVenueId] : LONG_TAIL_PAGING);
    const common = { symbols, sink, clock: deps.clock, history, log, tuning: config.tuning, backfill: config.backfill, resumeFrom: deps.resumeFrom };
    const feed: Feed = native
      ? new WsFeed({ ...common, protocol: NATIVE_PROTOCOLS[id as NativeVenueId], wsUrl: c.wsUrl })
      : new CcxtProFeed({ ...common, venue: id, exchange: await make(id, true, { restUrl: c.restUrl, wsUrl: c.wsUrl, config: c.ccxt }) });
    feed.onStatus((change) => {
      for (const fn of listeners) fn(change);
    });
    log.info({ venue: id, symbols, path: native ? 'native' : 'ccxt pro' }, `feed ${id}: ${symbols.length} symbols`);
    return { id, cfg: c, rest: restEx, feed };
  }

  /** Resolves the configured symbols; one that no market matches is reported and skipped. */
  async function resolveAll(id: string, inputs: readonly string[]): Promise<string[]> {
    let index;
    try {
      index = await catalog.index(id);
    } catch (err) {
      // Markets unavailable now: take symbols already written BASE/QUOTE as they are.
      log.warn({ venue: id, err: errText(err) }, `markets of ${id} unavailable; using configured symbols as written`);
      return [...new Set(inputs.filter((s) => s.includes('/')).map((s) => s.trim().toUpperCase()))];
    }
    const out: string[] = [];
    for (const input of inputs) {
      const r = index.lookup(input);
      if (r.ok) {
        if (!out.includes(r.symbol)) out.push(r.symbol);
        continue;
      }
      const message = `unknown symbol "${input}" on ${id}${r.suggestions.length ? `; did you mean ${r.suggestions.join(', ')}?` : ''}`;
      problems.push({ venue: id, symbol: input, message, suggestions: r.suggestions });
      log.error({ venue: id, symbol: input, suggestions: r.suggestions }, message);
    }
    return out;
  }

  let started = false;
  return {
    feeds,
    catalog,
    problems,
    async start() {
      if (started) return;
      started = true;
      // Built concurrently, kept in config order.
      for (const v of await Promise.all(enabled.map(([id, c]) => build(id, c)))) {
        if (!v) continue;
        venues.push(v);
        if (v.feed) feeds.push(v.feed);
      }
      await Promise.all(feeds.map((f) => f.start()));
    },
    async stop() {
      await Promise.all(feeds.map((f) => f.stop()));
      await Promise.all(
        venues.map(async (v) => {
          try {
            await v.rest.close();
          } catch {
            // A REST client has nothing open to close on most venues.
          }
        }),
      );
    },
    watch(venue, symbol) {
      const v = byId(venue);
      if (!v?.feed) throw new Error(`venue ${venue} is not configured or not running`);
      v.feed.add([symbol]);
    },
    status(venue: string, symbol: string): StreamStatus | undefined {
      return byId(venue)?.feed?.status(venue, symbol);
    },
    statuses() {
      return feeds.flatMap((f) => f.statuses());
    },
    onStatus(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    counters() {
      return Object.fromEntries(feeds.map((f) => [f.venue, f.counters()]));
    },
  };
}
