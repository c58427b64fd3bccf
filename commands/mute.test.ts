import { describe, expect, it } from 'vitest';
import { say, testWorld } from './testing.js';

describe('/mute', () => {
  it('GIVEN a duration THEN every watch is muted until then; mute off ends it', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT');
    expect((await say(w, '/mute 2h')).text).toBe('Muted your alerts until 2025-08-11 14:00 UTC (2 hours). End it early with /mute off.');
    expect((await w.store.allSubscriptions())[0]?.mutedUntil).toBe(w.clock.t + 7_200_000);
    expect((await say(w, '/mute off')).text).toBe('Unmuted your alerts.');
    expect((await w.store.allSubscriptions())[0]?.mutedUntil).toBeUndefined();
  });

  it('GIVEN a duration out of bounds or not a duration THEN the reply gives the bounds', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT');
    expect((await say(w, '/mute 90d')).text).toContain('Duration: must be between 1 minute and 30 days');
    expect((await say(w, '/mute later')).text).toContain('Duration must be a duration such as 5m, 1h or 2d, or off, got "later"');
  });
});
