import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { BLOCKED, tooMany } from '../../fakes/telegram/index.js';
import { until } from '../../queue/wait.js';
import { ANN, ANN_DM, BOB, BOB_DM, GROUP, engineSpike, laterAlert, startHarness, type Harness, type Spike } from './harness.js';

const HOUR = 3_600_000;

describe('Telegram end to end: refusals and platform failures', () => {
  let spike: Spike;
  let h: Harness;
  beforeAll(async () => {
    spike = engineSpike();
    h = await startHarness(spike);
  });
  afterAll(() => h.close());

  it('GIVEN a pair that does not exist THEN the reply suggests the close ones, escaped for HTML', async () => {
    const r = await h.say(ANN_DM, ANN, '/watch BTX/USDT <b>');
    expect(r.visibleText).toContain('Did not understand "<b>"');
    const s = await h.say(ANN_DM, ANN, '/watch BTX/USDT');
    expect(s.visibleText).toBe('Unknown pair "BTX/USDT"; did you mean BTC/USDT?');
    expect(await h.world.store.allSubscriptions()).toEqual([]);
  });

  it('GIVEN a group member who is not an admin THEN /feed is refused after a server-side getChatMember check; an admin gets the feed in their forum topic', async () => {
    h.fake.setMember(GROUP.id, BOB.id, 'member');
    h.fake.setMember(GROUP.id, ANN.id, 'administrator');
    const refused = await h.say(GROUP, BOB, '/feed BTC/USDT');
    expect(refused.visibleText).toBe('/feed is for the admins of this chat (people who may manage it)');
    expect(h.fake.calls.some((c) => c.method === 'getChatMember' && Number(c.params['user_id']) === BOB.id)).toBe(true);
    expect(await h.world.store.subscriptionsInChat('telegram', String(GROUP.id))).toEqual([]);

    const ok = await h.say(GROUP, ANN, '/feed BTC/USDT', { threadId: 7 });
    expect(ok.visibleText).toBe('Feed started in this chat: BTC/USDT. Stop it with /unfeed.');
    expect(ok.params['message_thread_id']).toBe(7);
    await h.publish(spike.alert);
    const [alert] = h.fake.sends(GROUP.id).filter((c) => c.method === 'sendPhoto');
    expect(Number(alert?.params['message_thread_id'])).toBe(7);
    expect(alert?.visibleText).toMatch(/^\[ALERT\] BTC\/USDT anomaly detected!/);

    // A member cannot snooze the group's feed either.
    const from = h.fake.calls.length;
    h.fake.pressButton(alert!.result as Record<string, unknown>, BOB, `sz:${spike.alert.id}`);
    const answer = await h.fake.waitFor((c) => c.method === 'answerCallbackQuery', 'the refusal', from);
    expect(answer.params).toMatchObject({ show_alert: true });
    expect(String(answer.params['text'])).toContain("only the chat's admins can change it");
    await h.say(GROUP, ANN, '/unfeed', { threadId: 7 });
  });

  it('GIVEN Telegram answers 429 with retry_after THEN the alert is sent once the wait is over, nothing lost, and a command reply too', async () => {
    await h.say(ANN_DM, ANN, '/watch BTC/USDT');
    h.fake.failNext('sendPhoto', tooMany(1));
    const alert = laterAlert(spike.alert, HOUR);
    await h.publish(alert);
    const tries = h.fake.calls.filter((c) => c.method === 'sendPhoto' && Number(c.params['chat_id']) === ANN_DM.id);
    expect(tries.map((c) => c.status)).toEqual([429, 200]);
    expect(tries[1]?.visibleText).toContain('[ALERT] BTC/USDT');

    h.fake.failNext('sendMessage', tooMany(1));
    const r = await h.say(ANN_DM, ANN, '/list');
    expect(r.visibleText).toContain('Your watches (1)');
  });

  it('GIVEN a user who blocked the bot THEN delivery gets 403, pauses their watches instead of retrying, and /resume brings them back', async () => {
    await h.say(BOB_DM, BOB, '/watch BTC/USDT');
    let blocked = true;
    h.fake.failWhen((c) => (blocked && c.method.startsWith('send') && Number(c.params['chat_id']) === BOB_DM.id ? BLOCKED : undefined));
    await h.publish(laterAlert(spike.alert, 2 * HOUR));
    const [sub] = await h.world.store.subscriptionsInChat('telegram', String(BOB_DM.id));
    expect(sub?.paused).toMatchObject({ reason: 'blocked by the user' });
    expect(h.fake.calls.filter((c) => Number(c.params['chat_id']) === BOB_DM.id && c.status === 403)).toHaveLength(1);

    // Paused: the next alert is not even attempted.
    await h.publish(laterAlert(spike.alert, 3 * HOUR));
    expect(h.fake.calls.filter((c) => Number(c.params['chat_id']) === BOB_DM.id && c.status === 403)).toHaveLength(1);

    blocked = false;
    const hint = await h.say(BOB_DM, BOB, '/list');
    expect(hint.visibleText).toContain('Alerts for BTC/USDT are paused (blocked by the user). Send /resume to get them again.');
    expect((await h.say(BOB_DM, BOB, '/resume')).visibleText).toBe('Resumed BTC/USDT.');
    await h.publish(laterAlert(spike.alert, 4 * HOUR));
    expect(h.fake.sends(BOB_DM.id).filter((c) => c.method === 'sendPhoto')).toHaveLength(1);
  });

  it('GIVEN Telegram reports the bot kicked from a chat THEN that chat’s subscriptions pause at once', async () => {
    const chat = { id: 555, type: 'private' as const };
    const carol = { id: 555, first_name: 'Carol' };
    await h.say(chat, carol, '/watch ETH/USDT');
    h.fake.memberUpdate(chat, carol, 'kicked');
    await until(async () => (await h.world.store.subscriptionsInChat('telegram', '555'))[0]?.paused !== undefined, 'the pause');
    expect((await h.world.store.subscriptionsInChat('telegram', '555'))[0]?.paused?.reason).toBe('blocked by the user');
  });

  it('GIVEN too many chart commands from one user THEN the extra ones are refused with the wait', async () => {
    const dave = { id: 777, first_name: 'Dave' };
    const chat = { id: 777, type: 'private' as const };
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(String((await h.say(chat, dave, '/chart BTC/USDT 1h')).visibleText));
    expect(answers.slice(0, 3).every((a) => a.startsWith('BTC/USDT, last 1h'))).toBe(true);
    expect(answers[3]).toMatch(/^Slow down: try again in \d+ s$/);
  });

  it('GIVEN an unknown command in a private chat THEN the reply says so and lists the commands', async () => {
    const r = await h.say(ANN_DM, ANN, '/fly BTC');
    expect(r.visibleText).toMatch(/^Unknown command \/fly\.\n\ntickwatch watches crypto prices/);
    // The only errors of the whole run are the delivery's (the 429 and the 403 above), none of the bot's.
    expect(h.errors.filter((e) => /^(telegram|command|button)/.test(e.context))).toEqual([]);
  });
});

describe('Telegram registration and webhook mode', () => {
  let spike: Spike;
  let h: Harness;
  beforeAll(async () => {
    spike = engineSpike();
    h = await startHarness(spike);
    await h.telegram.stop();
  });
  afterAll(() => h.close());

  it('registerCommands sends every command with its description to setMyCommands', async () => {
    await h.telegram.registerCommands();
    expect(h.fake.commands).toEqual(COMMANDS.map((c) => ({ command: c.name, description: c.description })));
  });

  it('GIVEN webhook mode THEN an update posted with the secret is answered, and one without it is refused', async () => {
    const server = createServer(h.telegram.webhookHandler('s3cret'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const update = (id: number) => ({
        update_id: id,
        message: { message_id: id, date: 0, chat: ANN_DM, from: { ...ANN, is_bot: false }, text: '/help watch', entities: [{ type: 'bot_command', offset: 0, length: 5 }] },
      });
      const denied = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(update(900)) });
      expect(denied.status).toBe(401);
      const before = h.fake.calls.length;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 's3cret' },
        body: JSON.stringify(update(901)),
      });
      expect(res.status).toBe(200);
      const reply = await h.fake.waitFor((c) => c.method === 'sendMessage', 'the webhook answer', before);
      expect(reply.visibleText).toContain('Usage: /watch PAIR');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
