import { describe, expect, it } from 'vitest';
import { GROUP, say, testContext, testWorld } from './testing.js';

describe('/unfeed', () => {
  it('GIVEN a feed of two pairs THEN one pair, then all, can be stopped by an admin only', async () => {
    const w = testWorld();
    const admin = testContext(w, 'admin', GROUP, true);
    await say(w, '/feed BTC/USDT ETH/USDT', admin);
    expect((await say(w, '/unfeed', testContext(w, 'member', GROUP, false))).reply.error).toBe(true);
    expect((await say(w, '/unfeed BTC/USDT', admin)).text).toBe('Feed stopped in this chat (1 pair).');
    expect((await say(w, '/unfeed', admin)).text).toBe('Feed stopped in this chat (1 pair).');
    expect((await say(w, '/unfeed', admin)).text).toBe('This chat has no feed');
  });
});
