// The feeds' public surface, for the composition root, status output and the chat commands.
export { createFeeds, NATIVE_PROTOCOLS, type ExchangeFeedConfig, type FeedsConfig, type FeedsDeps, type FeedProblem, type FeedSet } from './create-feeds.js';
export { VENUE_CAPABILITIES, NATIVE_VENUES, ROTATION_MARGIN_MS, isNativeVenue, wireSymbol, type VenueCapabilities, type NativeVenueId, type SymbolFormat, type PingKind } from './capabilities.js';
export { WsFeed, FEED_TUNING_DEFAULTS, type FeedTuning, type WsFeedOptions } from './ws-feed.js';
export { CcxtProFeed, CCXT_SILENCE_MS, type CcxtProFeedOptions } from './ccxt-pro-feed.js';
export { CcxtHistory, LONG_TAIL_PAGING, MAX_HISTORY_PAGES, type HistoryPaging } from './ccxt-history.js';
export { createCcxtExchange, ccxtConfig, loadCcxt, type CcxtEndpoints } from './ccxt-exchange.js';
export { BACKFILL_DEFAULTS, type BackfillOptions } from './backfill.js';
export { BACKOFF_DEFAULTS, Backoff, type BackoffOptions } from './backoff.js';
export { MarketCatalog, SymbolIndex, marketsOf, editDistance, PREFERRED_QUOTES, MARKETS_TTL_MS, type MarketInfo, type MarketLoader, type SymbolLookup } from './symbols.js';
export type { VenueProtocol, ParseSink, FrameKind } from './protocol.js';
export type { ResumeFrom } from './feed-core.js';
