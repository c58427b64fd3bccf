import { describe, expect, it } from 'vitest';
import { UserError } from '../src/engine/index.js';
import { GROUP, say, testContext, testWorld } from './testing.js';

describe('/feed', () => {
  it('GIVEN an admin in a group THEN the group gets a feed of every named pair', async () => {
    const w = testWorld();
    const { text } = await say(w, '/feed BTC/USDT ethusdt', testContext(w, 'admin', GROUP, true));
    expect(text).toBe('Feed started in this chat: BTC/USDT, ETH/USDT. Stop it with /unfeed.');
    const subs = await w.store.subscriptionsInChat('telegram', GROUP.chatId);
    expect(subs.map((s) => [s.kind, s.symbol])).toEqual([['feed', 'BTC/USDT'], ['feed', 'ETH/USDT']]);
  });

  it('GIVEN a member who may not manage the group THEN the feed is refused and nothing is stored', async () => {
    const w = testWorld();
    const { text, reply } = await say(w, '/feed BTC/USDT', testContext(w, 'member', GROUP, false));
    expect(reply.error).toBe(true);
    expect(text).toContain('/feed is for the admins of this chat');
    expect(await w.store.allSubscriptions()).toEqual([]);
  });

  it('GIVEN a named channel THEN the adapter resolves it (and may refuse); without a resolver the reply says where to run it', async () => {
    const w = testWorld();
    const ctx = testContext(w, 'admin', GROUP, true);
    expect((await say(w, '/feed #news BTC/USDT', ctx)).text).toContain('run this command in the chat or topic that should get the feed');
    const resolving = {
      ...ctx,
      resolveChannel: async (raw: string) => {
        if (raw === '#secret') throw new UserError('forbidden', 'you may not manage #secret');
        return { platform: 'telegram', chatId: '-999', chatType: 'channel' as const };
      },
    };
    expect((await say(w, '/feed #news BTC/USDT', resolving)).text).toContain('Feed started in #news');
    expect((await say(w, '/feed #secret BTC/USDT', resolving)).text).toBe('You may not manage #secret');
    expect((await w.store.subscriptionsInChat('telegram', '-999')).map((s) => s.symbol)).toEqual(['BTC/USDT']);
  });
});
