import { describe, expect, it } from 'vitest';
import { say, testWorld } from './testing.js';

describe('/set', () => {
  it('GIVEN a watched pair THEN only the named thresholds change', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT 3% 5m up');
    const { text } = await say(w, '/set BTC/USDT 1.5% cooldown=30m');
    expect(text).toBe('Updated BTC/USDT: 1.5% in 5 minutes, up only, score ≥ 0.990, cooldown 30 minutes.');
    const [sub] = await w.store.allSubscriptions();
    expect(sub?.thresholds).toMatchObject({ movePct: 1.5, moveWindowMs: 300_000, direction: 'up', cooldownMs: 1_800_000 });
  });

  it('GIVEN nothing to change or a score out of range THEN the reply says what is allowed', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT');
    expect((await say(w, '/set BTC/USDT')).text).toContain('Name at least one thing to change');
    expect((await say(w, '/set BTC/USDT score=0.2')).text).toContain('Score: must be between 0.5 and 0.999999');
  });
});
