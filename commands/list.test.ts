import { describe, expect, it } from 'vitest';
import { GROUP, say, testContext, testWorld } from './testing.js';

describe('/list', () => {
  it('GIVEN nothing watched THEN the reply says how to start', async () => {
    expect((await say(testWorld(), '/list')).text).toBe('You watch nothing yet. Start with /watch BTC/USDT.');
  });

  it('GIVEN watches, a mute and a proximity source THEN each line shows thresholds, mute, closeness to firing and the latest score', async () => {
    const w = testWorld();
    w.services.proximity = { proximity: (symbol) => (symbol === 'BTC/USDT' ? { movePct: 1.5, score: 0.9, ratio: 0.5 } : null) };
    await say(w, '/watch BTC/USDT 3% 5m');
    await say(w, '/watch ETH/USDT high');
    await say(w, '/mute 1h ETH/USDT');
    const { text } = await say(w, '/list');
    expect(text).toContain('Your watches (2)');
    expect(text).toContain('• BTC/USDT: 3% in 5 minutes, up or down, score ≥ 0.990, cooldown 15 minutes; now +1.5%, 50% of the way to firing, score 0.90');
    expect(text).toContain('• ETH/USDT: 0.5% in 5 minutes, up or down, score ≥ 0.98, cooldown 10 minutes (high); muted until 2025-08-11 13:00 UTC');
  });

  it('GIVEN a proximity source that reads the store THEN list awaits it once per stream and rule, and shows a stale answer with its time', async () => {
    const w = testWorld();
    const asked: string[] = [];
    w.services.proximity = {
      proximity: async (symbol, venue) => {
        asked.push(`${symbol}@${venue ?? 'any'}`);
        await new Promise((r) => setTimeout(r, 5));
        if (symbol === 'ETH/USDT') return { movePct: -0.25, ratio: 0.5, asOf: Date.UTC(2025, 7, 11, 11, 52) };
        return symbol === 'BTC/USDT' ? { movePct: 1.5, ratio: 0.5 } : null;
      },
    };
    const admin = testContext(w, 'admin', GROUP, true);
    await say(w, '/feed BTC/USDT ETH/USDT', admin);
    await say(w, '/watch BTC/USDT', admin);
    await say(w, '/watch ETH/USDT binance', admin);
    asked.length = 0;
    const { text } = await say(w, '/list', admin);
    expect(text).toMatch(/• BTC\/USDT: .*; now \+1\.5%, 50% of the way to firing\n/);
    expect(text).toContain('; -0.25% as of 2025-08-11 11:52 UTC, 50% of the way to firing');
    // The watch and the feed on BTC/USDT share a rule and a stream: one question for both.
    expect(asked.sort()).toEqual(['BTC/USDT@any', 'ETH/USDT@any', 'ETH/USDT@binance']);
    expect(text.match(/now \+1\.5%/g)).toHaveLength(2);
  });

  it('GIVEN a proximity source that fails THEN the list still answers, without closeness, and the failure is logged', async () => {
    const w = testWorld();
    const logged: string[] = [];
    w.services.proximity = { proximity: () => Promise.reject(new Error('store down')) };
    await say(w, '/watch BTC/USDT 3% 5m');
    const { text, reply } = await say(w, '/list', { ...testContext(w), log: (_err, context) => void logged.push(context) });
    expect(reply.error).toBeUndefined();
    expect(text).toContain('• BTC/USDT: 3% in 5 minutes');
    expect(text).not.toContain('of the way to firing');
    expect(logged).toEqual(['closeness of BTC/USDT']);
  });

  it('GIVEN a feed in a group THEN the group list shows it apart from the watches', async () => {
    const w = testWorld();
    await say(w, '/feed BTC/USDT', testContext(w, 'admin', GROUP, true));
    const { text } = await say(w, '/list', testContext(w, 'someone', GROUP));
    expect(text).toContain('Feeds in this chat (1)');
    expect(text).not.toContain('Your watches');
  });
});
