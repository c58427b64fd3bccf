import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertDeliveryId } from '../../../src/delivery/address.js';
import type { FakeChat, FakeUser } from '../../fakes/telegram/index.js';
import { engineSpike, startHarness, type Harness } from './harness.js';

/** A group where so many watchers are mentioned that the alert no longer fits a photo caption. */
const CROWD: FakeChat = { id: -1002, type: 'supergroup', title: 'crowd' };
const WATCHERS: FakeUser[] = Array.from({ length: 20 }, (_, i) => ({ id: 500 + i, first_name: `Watcher ${String(i).padStart(2, '0')} ${'with a long display name '.repeat(2)}`.slice(0, 60) }));
const BAD_GATEWAY = { code: 502, description: 'Bad Gateway' };

describe('Telegram end to end: an alert too long for its caption', () => {
  let h: Harness;
  beforeAll(async () => {
    // No retries inside the client: the failure reaches the delivery queue, which runs the job again.
    h = await startHarness(engineSpike(), { retryMaxAttempts: 0 });
    for (const u of WATCHERS) await h.say(CROWD, u, '/watch BTC/USDT');
  });
  afterAll(() => h.close());

  it('GIVEN the text after the photo fails THEN the retry sends the text alone: one photo, one text naming every watcher', async () => {
    const spike = engineSpike();
    const from = h.fake.calls.length;
    h.fake.failNext('sendMessage', BAD_GATEWAY);
    await h.publish(spike.alert);
    const calls = h.fake.calls.slice(from).filter((c) => Number(c.params['chat_id']) === CROWD.id);
    const photos = calls.filter((c) => c.method === 'sendPhoto');
    const texts = calls.filter((c) => c.method === 'sendMessage');
    expect(photos.map((c) => c.status)).toEqual([200]);
    expect(photos[0]?.params['caption']).toBeUndefined();
    expect(texts.map((c) => c.status)).toEqual([502, 200]);
    const text = texts[1]?.visibleText ?? '';
    expect(text).toContain('[ALERT] BTC/USDT');
    for (const u of WATCHERS) expect(text).toContain(u.first_name);
    // The photo was recorded as sent between the two tries, and forgotten with the receipt.
    const id = alertDeliveryId(spike.alert.id, { platform: 'telegram', chatId: String(CROWD.id) });
    expect(await h.world.store.getReceipt(id)).not.toBeNull();
    expect(await h.world.store.getSentParts(id)).toEqual([]);
  });
});
