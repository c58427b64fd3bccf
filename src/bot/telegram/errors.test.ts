import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { PermanentError, TemporaryError } from '../../engine/core/errors.js';
import { translateTelegramError } from './errors.js';

const api = (error_code: number, description: string, parameters = {}) => new GrammyError('call failed', { ok: false, error_code, description, parameters }, 'sendPhoto', {});

describe('translateTelegramError', () => {
  it('GIVEN 429 THEN a TemporaryError carrying retry_after in ms', () => {
    const e = translateTelegramError(api(429, 'Too Many Requests: retry after 7', { retry_after: 7 }), 'alert');
    expect(e).toBeInstanceOf(TemporaryError);
    expect((e as TemporaryError).retryAfterMs).toBe(7_000);
  });

  it('GIVEN the chat can no longer receive THEN a PermanentError with a reason people can read', () => {
    const cases: [number, string, string][] = [
      [403, 'Forbidden: bot was blocked by the user', 'blocked by the user'],
      [403, 'Forbidden: bot was kicked from the supergroup chat', 'bot removed from the chat'],
      [400, 'Bad Request: chat not found', 'chat not found'],
      [400, 'Bad Request: message thread not found', 'topic closed or deleted'],
      [403, 'Forbidden: user is deactivated', 'user account deleted'],
    ];
    for (const [code, desc, reason] of cases) {
      const e = translateTelegramError(api(code, desc), 'alert');
      expect(e, desc).toBeInstanceOf(PermanentError);
      expect((e as PermanentError).reason).toBe(reason);
    }
  });

  it('GIVEN our own mistakes, a bad token or a network failure THEN retry rather than pause anyone', () => {
    expect(translateTelegramError(api(400, 'Bad Request: message is too long'), 'x')).toBeInstanceOf(TemporaryError);
    expect(translateTelegramError(api(401, 'Unauthorized'), 'x').message).toContain('check TELEGRAM_BOT_TOKEN');
    expect(translateTelegramError(new HttpError('Network request for sendPhoto failed', new Error('ECONNRESET')), 'x')).toBeInstanceOf(TemporaryError);
  });
});
