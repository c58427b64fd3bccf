import type { Bar, BarOrigin, Tick } from '../../src/engine/core/types.js';
import type { IngestOutcome, TickSink } from '../../src/engine/ports/tick-sink.js';
import { binanceProtocol } from '../../src/engine/feeds/binance.js';
import { bybitProtocol } from '../../src/engine/feeds/bybit.js';
import { coinbaseProtocol } from '../../src/engine/feeds/coinbase.js';
import { krakenProtocol } from '../../src/engine/feeds/kraken.js';
import { okxProtocol } from '../../src/engine/feeds/okx.js';
import type { VenueProtocol } from '../../src/engine/feeds/protocol.js';
import type { FeedTuning } from '../../src/engine/feeds/ws-feed.js';
import type { FakeVenue } from '../fakes/exchanges/index.js';

export const PROTOCOLS: Record<FakeVenue, VenueProtocol> = {
  binance: binanceProtocol,
  coinbase: coinbaseProtocol,
  kraken: krakenProtocol,
  okx: okxProtocol,
  bybit: bybitProtocol,
};

export const VENUES = Object.keys(PROTOCOLS) as FakeVenue[];

/** A symbol each fake lists (USD venues quote in USD). */
export const SYMBOL: Record<FakeVenue, string> = {
  binance: 'BTC/USDT',
  coinbase: 'BTC/USD',
  kraken: 'BTC/USD',
  okx: 'BTC/USDT',
  bybit: 'BTC/USDT',
};

/** Short timings so that reconnects and watchdogs happen within a test. */
export const FAST: Partial<FeedTuning> = {
  checkIntervalMs: 25,
  backoff: { initialMs: 30, maxMs: 200, factor: 2, jitter: 0.5, resetAfterMs: 5_000 },
};

/** A TickSink that records what it is given. */
export class RecordingSink implements TickSink {
  readonly ticks: { tick: Tick; origin: BarOrigin }[] = [];
  readonly longBars: Bar[] = [];

  ingest(tick: Tick, origin: BarOrigin = 'live'): IngestOutcome {
    this.ticks.push({ tick, origin });
    return 'ok';
  }

  ingestShortBars(): number {
    return 0;
  }

  ingestLongBars(_venue: string, _symbol: string, bars: readonly Bar[]): number {
    this.longBars.push(...bars);
    return bars.length;
  }

  live(): Tick[] {
    return this.ticks.filter((t) => t.origin === 'live').map((t) => t.tick);
  }
}

export async function until(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
