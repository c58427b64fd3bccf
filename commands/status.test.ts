import { describe, expect, it } from 'vitest';
import { makeAlert } from '../test/store/conformance.js';
import { say, testWorld } from './testing.js';

describe('/status', () => {
  it('GIVEN live and stale feeds, a queue and an alert THEN each shows, the stale feed by name', async () => {
    const w = testWorld();
    const now = w.clock.t;
    w.status.feeds.push(
      { venue: 'binance', symbol: 'BTC/USDT', status: 'live', since: now - 60_000 },
      { venue: 'kraken', symbol: 'BTC/USDT', status: 'stale', since: Date.UTC(2025, 7, 11, 11, 58), lastTradeTs: now - 180_000 },
    );
    w.status.queueDepth = 3;
    w.status.lastAlert = makeAlert({ ts: now - 300_000 });
    const { text } = await say(w, '/status');
    expect(text).toBe(
      'Feeds: 1 live, 1 stale\n• kraken BTC/USDT: stale since 2025-08-11 11:58 UTC, last trade 3 minutes ago\nDeliveries waiting: 3\nLast alert: BTC/USDT +6.4% on binance, 5 minutes ago',
    );
  });
});
