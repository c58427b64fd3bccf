import { describe, expect, it } from 'vitest';
import { say, testWorld } from './testing.js';

describe('/watch', () => {
  it('GIVEN a pair with thresholds THEN the watch is stored with them and the reply describes it', async () => {
    const w = testWorld();
    const { text, reply } = await say(w, '/watch btcusdt 3% 5m up');
    expect(reply.error).toBeUndefined();
    expect(text).toContain('Watching BTC/USDT: 3% in 5 minutes, up only');
    const [sub] = await w.store.allSubscriptions();
    expect(sub).toMatchObject({ symbol: 'BTC/USDT', thresholds: { movePct: 3, moveWindowMs: 300_000, direction: 'up' } });
  });

  it('GIVEN an unknown pair THEN the reply suggests known ones and nothing is stored', async () => {
    const w = testWorld();
    const { text, reply } = await say(w, '/watch BTX/USDT');
    expect(reply.error).toBe(true);
    expect(text).toBe('Unknown pair "BTX/USDT"; did you mean BTC/USDT?');
    expect(await w.store.allSubscriptions()).toEqual([]);
  });

  it('GIVEN the per-user limit is reached THEN the reply names the limit', async () => {
    const w = testWorld({ limits: { perUser: 1, perChat: 5 } });
    await say(w, '/watch BTC/USDT');
    const { text } = await say(w, '/watch ETH/USDT');
    expect(text).toContain('You already watch 1 subscriptions, the most allowed');
  });

  it('GIVEN an unknown venue THEN the reply lists the known venues', async () => {
    const { text } = await say(testWorld(), '/watch BTC/USDT nowhere');
    expect(text).toBe('Unknown venue "nowhere"; did you mean binance, kraken, okx?');
  });
});
