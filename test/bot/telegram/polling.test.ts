import { afterEach, describe, expect, it } from 'vitest';
import { TelegramBot } from '../../../src/bot/telegram/index.js';
import { testWorld } from '../../../commands/testing.js';
import { FakeTelegram, type RecordedCall } from '../../fakes/telegram/index.js';
import { ANN, ANN_DM } from './harness.js';

/**
 * Long polling must not stop without a word: an error the update runner will not retry (401 for a
 * token revoked and restored, 409 for a second poller or a webhook someone set) used to end
 * polling for good, and commands went unanswered while everything else looked healthy.
 */
describe('Telegram long polling', () => {
  let fake: FakeTelegram;
  let bot: TelegramBot;
  afterEach(async () => {
    await bot?.stop();
    await fake?.close();
  });

  async function start(errors: { err: unknown; context: string }[]) {
    fake = new FakeTelegram();
    await fake.start();
    const world = testWorld();
    bot = new TelegramBot({
      token: fake.token,
      apiRoot: fake.apiRoot,
      services: world.services,
      clock: world.clock,
      pollTimeoutSeconds: 1,
      pollRetryMs: 20,
      pollRestartMs: 100,
      log: (err, context) => void errors.push({ err, context }),
    });
    await bot.startPolling();
  }

  const answerTo = (messageId: number) => (c: RecordedCall) => c.method === 'sendMessage' && c.status === 200 && (c.params['reply_parameters'] as { message_id?: number } | undefined)?.message_id === messageId;

  for (const [code, description, cause] of [
    [401, 'Unauthorized', "401: Telegram refused the bot token; check TELEGRAM_BOT_TOKEN or whether it was revoked"],
    [409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running', '409: another process is polling this bot token, or a webhook was set; only one tickwatch may poll a token'],
  ] as const) {
    it(`GIVEN getUpdates answers ${code} THEN the stop is logged, polling restarts, and a command sent meanwhile is answered`, async () => {
      const errors: { err: unknown; context: string }[] = [];
      await start(errors);
      fake.failNext('getUpdates', { code, description });
      const { messageId } = fake.userSays(ANN_DM, ANN, '/help');
      await fake.waitFor(answerTo(messageId), 'the answer to /help after polling restarted');
      expect(errors.map((e) => e.context)).toEqual([`telegram polling stopped (${cause}); restarting in 0 s`]);
      expect(String((errors[0]!.err as Error).message)).toContain(String(code));
    });
  }

  it('GIVEN stop() THEN polling ends quietly and does not come back', async () => {
    const errors: { err: unknown; context: string }[] = [];
    await start(errors);
    await bot.stop();
    const polls = fake.calls.filter((c) => c.method === 'getUpdates').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.filter((c) => c.method === 'getUpdates').length).toBe(polls);
    expect(errors).toEqual([]);
  });
});
