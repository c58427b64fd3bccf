import { describe, expect, it } from 'vitest';
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { PermanentError, TemporaryError } from '../../engine/core/errors.js';
import { classifyDiscordError } from './destination.js';
import { noticeText } from './notices.js';
import type { Subscription } from '../../engine/ports/store.js';

const apiError = (status: number, code: number, message: string) =>
  new DiscordAPIError({ code, message }, code, status, 'POST', 'https://discord.com/api/v10/channels/1/messages', { body: undefined, files: undefined });

describe('Discord failures in delivery terms', () => {
  it('a rate limit is temporary and carries the wait Discord asked for', () => {
    const e = classifyDiscordError(
      new RateLimitError({ timeToReset: 800, limit: 5, method: 'POST', hash: 'h', url: 'u', route: '/channels/:id/messages', majorParameter: '1', global: false, retryAfter: 1_050, sublimitTimeout: 0, scope: 'user' }),
      'channel 1',
    );
    expect(e).toBeInstanceOf(TemporaryError);
    expect((e as TemporaryError).retryAfterMs).toBe(1_050);
  });

  it.each([
    [404, 10003, 'Unknown Channel'],
    [403, 50001, 'Missing Access'],
    [403, 50013, 'Missing Permissions'],
    [403, 50007, 'Cannot send messages to this user'],
  ])('%i / %i (%s) means the chat can no longer receive: permanent, with the code in the reason', (status, code, message) => {
    const e = classifyDiscordError(apiError(status, code, message), 'channel 1');
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).reason).toMatch(new RegExp(`^discord ${code}: `));
  });

  it('server trouble and network failures are temporary; a refused token or payload never pauses a chat', () => {
    expect(classifyDiscordError(apiError(502, 0, 'Bad Gateway'), 'x')).toBeInstanceOf(TemporaryError);
    expect(classifyDiscordError(new HTTPError(503, 'Service Unavailable', 'POST', 'u', { body: undefined, files: undefined }), 'x')).toBeInstanceOf(TemporaryError);
    expect(classifyDiscordError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'x')).toBeInstanceOf(TemporaryError);
    const token = classifyDiscordError(apiError(401, 0, '401: Unauthorized'), 'x');
    expect(token).not.toBeInstanceOf(PermanentError);
    expect(token).not.toBeInstanceOf(TemporaryError);
    expect(token.message).toMatch(/DISCORD_TOKEN/);
    const form = classifyDiscordError(apiError(400, 50035, 'Invalid Form Body'), 'x');
    expect(form).not.toBeInstanceOf(PermanentError);
  });

  it('the pause notice names the channel, what is paused, the reason and what to do', () => {
    const sub = (symbol: string, kind: 'watch' | 'feed') => ({ symbol, kind }) as Subscription;
    const text = noticeText('42', 'discord 50013: the bot may not post there', [sub('BTC/USDT', 'feed'), sub('ETH/USDT', 'watch'), sub('BTC/USDT', 'feed')]);
    expect(text).toBe(
      '⚠️ I can no longer post in <#42>: the bot may not post there.\nPaused there: BTC/USDT (feed), ETH/USDT (your watch).\n' +
        'Give me View Channel, Send Messages, Embed Links and Attach Files in that channel, then run `/resume` there.',
    );
  });
});
