import { FakeBinance, type FakeBinanceOptions } from './binance.js';
import { FakeBybit, type FakeBybitOptions } from './bybit.js';
import { FakeCoinbase, type FakeCoinbaseOptions } from './coinbase.js';
import type { FakeExchange } from './fake-exchange.js';
import { FakeKraken, type FakeKrakenOptions } from './kraken.js';
import { FakeOkx, type FakeOkxOptions } from './okx.js';

export { FakeExchange, type FakeTrade, type NewTrade, type FakeClient } from './fake-exchange.js';
export { FakeBinance, FakeBybit, FakeCoinbase, FakeKraken, FakeOkx };
export { calmTrades, spikeTrades } from './market.js';
export { hasRecordings, recordedFrames, WIRE_DIR } from './recordings.js';

export type FakeVenue = 'binance' | 'coinbase' | 'kraken' | 'okx' | 'bybit';

export type FakeOptions = FakeBinanceOptions & FakeCoinbaseOptions & FakeKrakenOptions & FakeOkxOptions & FakeBybitOptions;

/** Starts a fake venue on 127.0.0.1 and a random port. */
export function startFakeExchange(venue: FakeVenue, opts: FakeOptions = {}): Promise<FakeExchange> {
  const make: Record<FakeVenue, () => FakeExchange> = {
    binance: () => new FakeBinance(opts),
    coinbase: () => new FakeCoinbase(opts),
    kraken: () => new FakeKraken(opts),
    okx: () => new FakeOkx(opts),
    bybit: () => new FakeBybit(opts),
  };
  return make[venue]().start();
}
