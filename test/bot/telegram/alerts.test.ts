import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, ANN_DM, BOB, BOB_DM, engineSpike, keyboardOf, laterAlert, messageOf, startHarness, type Harness, type Spike } from './harness.js';

const HOUR = 3_600_000;

describe('Telegram end to end: watch, alert with chart and buttons, snooze', () => {
  let spike: Spike;
  let h: Harness;
  beforeAll(async () => {
    spike = engineSpike();
    h = await startHarness(spike);
  });
  afterAll(() => h.close());
  const photos = (chatId: number) => h.fake.sends(chatId).filter((c) => c.method === 'sendPhoto');

  it('GIVEN two users who ran /watch THEN the engine alert reaches both chats as a photo with the [ALERT] text and buttons, uploaded once', async () => {
    expect((await h.say(ANN_DM, ANN, '/watch BTC/USDT')).visibleText).toContain('Watching BTC/USDT');
    expect((await h.say(BOB_DM, BOB, '/watch btcusdt')).visibleText).toContain('Watching BTC/USDT');
    await h.publish(spike.alert);

    const [first, second] = h.fake.sends().filter((c) => c.method === 'sendPhoto');
        expect([first, second].map((c) => Number(c?.params['chat_id'])).sort()).toEqual([ANN_DM.id, BOB_DM.id]);
    for (const c of [first, second]) {
      expect(c?.params['parse_mode']).toBe('HTML');
      expect(c?.visibleText).toMatch(/^\[ALERT\] BTC\/USDT anomaly detected!\nTimestamp: 2025-08-11 12:2\d:\d\d UTC\nPrice Change: \+[\d.]+% in /);
      expect(c?.visibleText).toContain('Venue: binance');
      expect(String(c?.params['caption'])).toMatch(/^<b>\[ALERT\] BTC\/USDT anomaly detected!<\/b>\n/);
      expect(keyboardOf(c!)).toEqual([
        [['😴 Snooze 1h', `sz:${spike.alert.id}`], ['🔕 Unwatch', `uw:${spike.alert.id}`], ['📈 Chart 24h', `ch:${spike.alert.id}`]],
        [['👍', `up:${spike.alert.id}`], ['👎', `dn:${spike.alert.id}`]],
      ]);
    }
    // The first recipient uploads the PNG; the second gets the same file by its file_id.
    const photo = String(first?.params['photo']);
    expect(photo).toMatch(/^attach:\/\//);
    const upload = Object.values(first!.files)[0];
    expect(upload?.filename).toBe(`${spike.alert.id}.png`);
    const png = decode(upload!.bytes);
    expect(png.width).toBeGreaterThan(300);
    expect(png.height).toBeGreaterThan(150);
    const fileId = (messageOf(first!)['photo'] as { file_id: string }[]).at(-1)?.file_id;
    expect(second?.params['photo']).toBe(fileId);
    expect(Object.keys(second!.files)).toEqual([]);
    expect(await h.world.store.getMediaRef(spike.alert.id, 'telegram')).toBe(fileId);
  });

  it('GIVEN Ann presses Snooze THEN her next alert within the hour stays quiet while Bob still gets it, and the one after the hour reaches her', async () => {
    const annAlert = h.fake.sends(ANN_DM.id).find((c) => c.method === 'sendPhoto')!;
    const before = h.fake.calls.length;
    h.fake.pressButton(messageOf(annAlert), ANN, `sz:${spike.alert.id}`);
    const answer = await h.fake.waitFor((c) => c.method === 'answerCallbackQuery', 'the snooze answer', before);
    expect(answer.params['text']).toMatch(/^BTC\/USDT snoozed for 1 hour, until 2025-08-11 13:2\d UTC$/);

    await h.publish(laterAlert(spike.alert, 40 * 60_000));
    expect(photos(ANN_DM.id)).toHaveLength(1);
    expect(photos(BOB_DM.id)).toHaveLength(2);

    await h.publish(laterAlert(spike.alert, HOUR + 60_000));
    expect(photos(ANN_DM.id)).toHaveLength(2);
  });

  it('GIVEN the Chart 24h and 👍 buttons THEN a chart PNG is posted in the chat and the vote is stored as feedback', async () => {
    const msg = messageOf(photos(BOB_DM.id)[0]!);
    let from = h.fake.calls.length;
    h.fake.pressButton(msg, BOB, `ch:${spike.alert.id}`);
    const chart = await h.fake.waitFor((c) => c.method === 'sendPhoto' && Number(c.params['chat_id']) === BOB_DM.id && c.status === 200, 'the chart', from);
    expect(chart.visibleText).toBe('BTC/USDT, last 24h');
    expect(decode(Object.values(chart.files)[0]!.bytes).width).toBeGreaterThan(300);

    from = h.fake.calls.length;
    h.fake.pressButton(msg, BOB, `up:${spike.alert.id}`);
    const answer = await h.fake.waitFor((c) => c.method === 'answerCallbackQuery' && String(c.params['text']).startsWith('Thanks'), 'the vote answer', from);
    expect(answer.params['text']).toBe('Thanks for the feedback (👍 1 · 👎 0)');
    expect(await h.world.store.getFeedback(spike.alert.id)).toEqual({ up: 1, down: 0 });
  });

  it('GIVEN Unwatch is pressed THEN the watch is gone and no later alert arrives', async () => {
    const msg = messageOf(photos(BOB_DM.id)[0]!);
    const from = h.fake.calls.length;
    h.fake.pressButton(msg, BOB, `uw:${spike.alert.id}`);
    const answer = await h.fake.waitFor((c) => c.method === 'answerCallbackQuery', 'the unwatch answer', from);
    expect(answer.params['text']).toBe('You no longer watch BTC/USDT');
    const sent = h.fake.sends(BOB_DM.id).length;
    await h.publish(laterAlert(spike.alert, 3 * HOUR));
    expect(h.fake.sends(BOB_DM.id)).toHaveLength(sent);
    expect(h.errors).toEqual([]);
  });
});
