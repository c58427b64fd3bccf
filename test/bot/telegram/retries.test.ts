import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpError } from 'grammy';
import type { ApiResponse } from 'grammy/types';
import { testWorld } from '../../../commands/testing.js';
import { buildConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import type { PlatformRetry } from '../../../src/bot/shared/retries.js';
import { TelegramBot, telegramAutoRetry } from '../../../src/bot/telegram/bot.js';
import { telegramDestination } from '../../../src/ops/compose.js';
import { makeAlert } from '../../store/conformance.js';
import { retryReporter as reporter } from '../retry-reporter.js';
import { FakeTelegram, tooMany } from '../../fakes/telegram/index.js';

describe('Telegram retries are logged and counted (real grammY against the fake Bot API)', () => {
  const fake = new FakeTelegram();
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  it('GIVEN a 429 with retry_after 1 on the bot client THEN one warning names the method and the wait, no line holds the token, and the counter says 1', async () => {
    const r = reporter();
    const telegram = new TelegramBot({ token: fake.token, apiRoot: fake.apiRoot, services: testWorld().services, onRetry: r.onRetry });
    fake.failNext('setMyCommands', tooMany(1));
    await telegram.registerCommands();
    expect(fake.calls.filter((c) => c.method === 'setMyCommands').map((c) => c.status)).toEqual([429, 200]);

    const warnings = r.warnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ platform: 'telegram', reason: 'rate_limited', method: 'setMyCommands', status: 429, waitMs: 1000, retryAfterMs: 1000, attempt: 1 });
    expect(warnings[0]?.msg).toBe('telegram rate limited: the client retries');
    for (const line of r.lines) {
      expect(line).not.toContain(fake.token);
      expect(line).not.toContain(fake.token.split(':')[1]);
      expect(line).not.toContain(fake.apiRoot);
    }
    expect(await r.metrics.text()).toContain('tickwatch_platform_retries_total{platform="telegram",reason="rate_limited"} 1');
  });

  it('GIVEN a 429 on the delivery client of the worker role THEN the same warning and count', async () => {
    const r = reporter();
    const cfg = buildConfig({}, { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    const dest = telegramDestination(cfg, systemClock, r.onRetry);
    if (!dest) throw new Error('no Telegram destination with a token set');
    fake.failNext('sendMessage', tooMany(1));
    const receipt = await dest.send({ deliveryId: 'd1', to: { platform: 'telegram', chatId: '100', chatType: 'private' }, kind: 'alert', alerts: [makeAlert()], text: '[ALERT] BTC/USDT', mentions: [] });
    expect(receipt.messageId).toBeDefined();

    const warnings = r.warnings();
    expect(warnings.map((w) => [w.reason, w.method, w.waitMs])).toEqual([['rate_limited', 'sendMessage', 1000]]);
    for (const line of r.lines) expect(line).not.toContain(fake.token.split(':')[1]);
    expect(await r.metrics.text()).toContain('tickwatch_platform_retries_total{platform="telegram",reason="rate_limited"} 1');
  });
});

/**
 * The reports follow auto-retry's own decisions: for any run of answers, one report per extra
 * call auto-retry makes, with the wait it takes. auto-retry runs for real; only its clock is fake.
 */
describe('telegramAutoRetry reports exactly the retries auto-retry makes', () => {
  afterEach(() => vi.useRealTimers());

  type Answer = ApiResponse<unknown> | 'network';
  const ok: Answer = { ok: true, result: true };
  const fail = (code: number, retryAfter?: number): Answer => ({ ok: false, error_code: code, description: `error ${code}`, ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}) });

  type Signal = Parameters<ReturnType<typeof telegramAutoRetry>>[3];
  async function run(answers: Answer[], opts = { maxDelaySeconds: 30, maxRetryAttempts: 5 }, signal?: Signal) {
    vi.useFakeTimers();
    const reports: PlatformRetry[] = [];
    let calls = 0;
    const prev = (async () => {
      const a = answers[calls++];
      if (a === undefined) throw new Error('more calls than scripted');
      if (a === 'network') throw new HttpError("Network request for 'sendMessage' failed!", Object.assign(new Error('request to http://x/bot1:SECRET/sendMessage failed'), { code: 'ECONNRESET' }));
      return a;
    }) as unknown as Parameters<ReturnType<typeof telegramAutoRetry>>[0];
    const t = telegramAutoRetry(opts, (r) => reports.push(r));
    const done = t(prev, 'sendMessage', { chat_id: 1, text: 'x' }, signal).then(
      (res) => res,
      (err: unknown) => err,
    );
    await vi.runAllTimersAsync();
    const result = await done;
    return { reports, calls, result };
  }

  it('GIVEN 5xx answers THEN each retry is reported with auto-retry\'s doubling backoff', async () => {
    const { reports, calls, result } = await run([fail(500), fail(502), ok]);
    expect(result).toEqual(ok);
    expect(reports.map((r) => [r.reason, r.status, r.waitMs, r.attempt])).toEqual([
      ['server_error', 500, 3000, 1],
      ['server_error', 502, 6000, 2],
    ]);
    expect(reports).toHaveLength(calls - 1);
  });

  it('GIVEN network errors around a 429 THEN each is reported, the 429 resetting the backoff, and no message or URL is kept', async () => {
    const { reports, calls } = await run(['network', fail(429, 2), 'network', ok]);
    expect(reports.map((r) => [r.reason, r.waitMs, r.attempt, r.cause])).toEqual([
      ['network', 3000, 1, 'ECONNRESET'],
      ['rate_limited', 2000, 2, undefined],
      ['network', 3000, 3, 'ECONNRESET'],
    ]);
    expect(JSON.stringify(reports)).not.toContain('SECRET');
    expect(reports).toHaveLength(calls - 1);
  });

  it('GIVEN attempts run out THEN the last failure is not reported as a retry', async () => {
    const { reports, calls, result } = await run([fail(429, 1), fail(429, 1), fail(429, 1)], { maxDelaySeconds: 30, maxRetryAttempts: 2 });
    expect(result).toMatchObject({ ok: false, error_code: 429 });
    expect(calls).toBe(3);
    expect(reports.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('GIVEN a retry_after above the limit THEN nothing is retried and nothing reported', async () => {
    const { reports, calls } = await run([fail(429, 60)]);
    expect([calls, reports.length]).toEqual([1, 0]);
  });

  it('GIVEN no answer at all, again and again THEN it is retried a bounded number of times, backing off up to maxDelaySeconds, and the error reaches the caller (delivery re-queues it) instead of holding the call for up to an hour', async () => {
    const { reports, calls, result } = await run(Array(10).fill('network'), { maxDelaySeconds: 10, maxRetryAttempts: 4 });
    expect(result).toBeInstanceOf(HttpError);
    expect(calls).toBe(5);
    expect(reports.map((r) => [r.reason, r.waitMs, r.attempt])).toEqual([
      ['network', 3000, 1],
      ['network', 6000, 2],
      ['network', 10000, 3],
      ['network', 10000, 4],
    ]);
  });

  it('GIVEN a network error on an aborted call THEN it is not retried and not reported', async () => {
    const c = new AbortController();
    c.abort();
    const { reports, calls, result } = await run(['network'], undefined, c.signal as unknown as Signal);
    expect(result).toBeInstanceOf(HttpError);
    expect([calls, reports.length]).toEqual([1, 0]);
  });
});
