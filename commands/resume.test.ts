import { describe, expect, it } from 'vitest';
import { pauseChat } from '../src/engine/services/subscriptions.js';
import { DM, say, testWorld } from './testing.js';

describe('/resume', () => {
  it('GIVEN watches paused because the chat was unreachable THEN resume restarts them', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT');
    expect((await say(w, '/resume')).text).toBe('Nothing was paused.');
    await pauseChat(w.store, w.clock.t, 'telegram', DM.chatId, 'blocked by the user');
    expect((await say(w, '/resume')).text).toBe('Resumed BTC/USDT.');
    expect((await w.store.allSubscriptions())[0]?.paused).toBeUndefined();
  });
});
