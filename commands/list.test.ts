import { describe, expect, it } from 'vitest';
import { GROUP, say, testContext, testWorld } from './testing.js';

describe('/list', () => {
  it('GIVEN nothing watched THEN the reply says how to start', async () => {
    expect((await say(testWorld(), '/list')).text).toBe('You watch nothing yet. Start with /watch BTC/USDT.');
  });

  it('GIVEN watches, a mute and a proximity source THEN each line shows thresholds, mute and closeness to firing', async () => {
    const w = testWorld();
    w.services.proximity = { proximity: (symbol) => (symbol === 'BTC/USDT' ? { movePct: 1.5, score: 0.9, ratio: 0.5 } : null) };
    await say(w, '/watch BTC/USDT 3% 5m');
    await say(w, '/watch ETH/USDT high');
    await say(w, '/mute 1h ETH/USDT');
    const { text } = await say(w, '/list');
    expect(text).toContain('Your watches (2)');
    expect(text).toContain('• BTC/USDT: 3% in 5 minutes, up or down, score ≥ 0.990, cooldown 15 minutes; now +1.5%, 50% of the way to firing');
    expect(text).toContain('• ETH/USDT: 0.5% in 5 minutes, up or down, score ≥ 0.98, cooldown 10 minutes (high); muted until 2025-08-11 13:00 UTC');
  });

  it('GIVEN a feed in a group THEN the group list shows it apart from the watches', async () => {
    const w = testWorld();
    await say(w, '/feed BTC/USDT', testContext(w, 'admin', GROUP, true));
    const { text } = await say(w, '/list', testContext(w, 'someone', GROUP));
    expect(text).toContain('Feeds in this chat (1)');
    expect(text).not.toContain('Your watches');
  });
});
