import { describe, expect, it } from 'vitest';
import { say, testWorld } from './testing.js';

describe('/unwatch', () => {
  it('GIVEN a watched pair THEN it is removed; GIVEN one not watched THEN the reply lists what is', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT');
    await say(w, '/watch ETH/USDT binance');
    expect((await say(w, '/unwatch btc/usdt')).text).toBe('Stopped watching BTC/USDT (any venue).');
    expect((await say(w, '/unwatch SOL/USDT')).text).toBe('You do not watch SOL/USDT here (you watch ETH/USDT)');
    expect((await w.store.allSubscriptions()).map((s) => s.symbol)).toEqual(['ETH/USDT']);
  });
});
