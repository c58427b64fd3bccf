import { describe, expect, it } from 'vitest';
import { say, testWorld } from './testing.js';

describe('/price', () => {
  it('GIVEN quotes from several venues THEN the composite comes first and each venue follows with its age', async () => {
    const w = testWorld();
    const now = w.clock.t;
    w.quotes.set('BTC/USDT', {
      symbol: 'BTC/USDT',
      composite: 63_870.5,
      venues: [
        { venue: 'binance', price: 63_871.2, ts: now - 2_000, status: 'live' },
        { venue: 'kraken', price: 63_500, ts: now - 600_000, status: 'stale' },
      ],
    });
    const { text } = await say(w, '/price btcusdt');
    expect(text).toBe('BTC/USDT 63870.5 (median of 1 fresh venues)\n• binance 63871.2 2 seconds ago\n• kraken 63500 10 minutes ago (stale)');
  });

  it('GIVEN a known pair with no trades yet THEN the reply says so', async () => {
    expect((await say(testWorld(), '/price SOL/USDT')).text).toContain('No price for SOL/USDT yet');
  });
});
