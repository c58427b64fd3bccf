import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { UserError } from '../src/engine/index.js';
import {
  decodeAction,
  defineCommand,
  encodeAction,
  executeCommand,
  parseDuration,
  parseOptions,
  parseText,
  plainText,
  reply,
  tokenize,
  usage,
  type CommandLimiter,
} from './framework.js';
import { feedCommand } from './feed.js';
import { setCommand } from './set.js';
import { watchCommand } from './watch.js';
import { testContext, testWorld } from './testing.js';

describe('parseText', () => {
  it('GIVEN /watch BTC/USDT 3% 5m up THEN each token fills the argument of its kind', () => {
    expect(parseText(watchCommand, 'BTC/USDT 3% 5m up')).toEqual({ ok: true, args: { pair: 'BTC/USDT', threshold: 3, window: 300_000, direction: 'up' } });
  });

  it('GIVEN optional arguments left out THEN later tokens still find their argument', () => {
    expect(parseText(watchCommand, 'eth-usdt binance high')).toEqual({ ok: true, args: { pair: 'ETH/USDT', venue: 'binance', sensitivity: 'high' } });
    expect(parseText(watchCommand, 'BTC/USDT down')).toEqual({ ok: true, args: { pair: 'BTC/USDT', direction: 'down' } });
  });

  it('GIVEN name=value tokens THEN they set that argument, even of a kind another argument shares', () => {
    const r = parseText(setCommand, 'BTC/USDT 2% 10m score=0.995 cooldown=30m');
    expect(r).toEqual({ ok: true, args: { pair: 'BTC/USDT', threshold: 2, window: 600_000, score: 0.995, cooldown: 1_800_000 } });
  });

  it('GIVEN a missing required argument THEN the error names it and ends with the usage line', () => {
    const none = parseText(watchCommand, '');
    expect(none.ok || none.message).toMatch(/^missing PAIR: the pair, e.g. BTC\/USDT\n/);
    const r = parseText(watchCommand, '3%');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('pair must be a pair such as BTC/USDT, got "3%"');
      expect(r.message).toContain('Usage: /watch PAIR [venue] [threshold%] [window] [up|down|both] [low|normal|high]');
    }
  });

  it('GIVEN a token that fits nothing THEN the error quotes it and says what was expected', () => {
    const r = parseText(watchCommand, 'BTC/USDT 3% 5m sideways?');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/did not understand "sideways\?"; expected .*up, down or both/);
  });

  it('GIVEN a threshold outside the rule limits THEN the schema names the allowed range', () => {
    const r = parseText(watchCommand, 'BTC/USDT 900%');
    expect(r).toEqual({ ok: false, message: 'threshold: must be between 0% and 500%\nUsage: ' + usage(watchCommand) });
    const w = parseText(watchCommand, 'BTC/USDT 3% 2d');
    expect(w.ok).toBe(false);
    if (!w.ok) expect(w.message).toContain('window: must be between 1 second and 1 day');
  });

  it('GIVEN a many-valued last argument THEN it collects every remaining token', () => {
    expect(parseText(feedCommand, '#alerts BTC/USDT ETH/USDT sol/usdt')).toEqual({ ok: true, args: { channel: '#alerts', pairs: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } });
  });

  it('GIVEN option values from a slash command THEN they parse to what the same text gives', () => {
    const fromText = parseText(watchCommand, 'BTC/USDT binance 3% 5m up');
    const fromOptions = parseOptions(watchCommand, { pair: 'BTC/USDT', venue: 'binance', threshold: 3, window: '5m', direction: 'up' });
    expect(fromOptions).toEqual(fromText);
    const bad = parseOptions(watchCommand, { pair: 'BTC/USDT', window: 'soon' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('window must be a duration such as 5m, 1h or 2d, got "soon"');
  });

  it('tokenize keeps double-quoted text together', () => {
    expect(tokenize('a "b c"  d')).toEqual(['a', 'b c', 'd']);
  });
});

describe('parseDuration', () => {
  it('reads units and compounds, and refuses bare numbers and words', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('5')).toBeNull();
    expect(parseDuration('binance')).toBeNull();
    expect(parseDuration('')).toBeNull();
  });
});

describe('button actions', () => {
  it('round-trip through their callback data, and an id too long for 64 bytes gives no data', () => {
    const a = { type: 'snooze' as const, alertId: 'binance-BTCUSDT-1754923920000-up-a1b2c3d4' };
    const data = encodeAction(a);
    expect(data).toBe('sz:binance-BTCUSDT-1754923920000-up-a1b2c3d4');
    expect(decodeAction(data as string)).toEqual(a);
    expect(encodeAction({ type: 'chart', alertId: 'x'.repeat(62) })).toBeNull();
    expect(decodeAction('zz:abc')).toBeNull();
    expect(decodeAction('garbage')).toBeNull();
  });
});

describe('executeCommand', () => {
  const boom = defineCommand({
    name: 'boom',
    description: 'fails',
    args: [],
    schema: z.object({}),
    cost: 'light',
    examples: [],
    handler: async () => {
      throw new Error('database on fire at /srv/app.js:12');
    },
  });
  const admin = defineCommand({ name: 'adm', description: 'admins', args: [], schema: z.object({}), adminOnly: true, cost: 'light', examples: [], handler: async () => reply('done') });

  it('GIVEN an unexpected failure THEN the user gets a short apology without internals and the error is logged', async () => {
    const log = vi.fn();
    const ctx = { ...testContext(testWorld()), log };
    const r = await executeCommand(boom, { text: '' }, ctx);
    expect(r.error).toBe(true);
    expect(plainText(r.text)).toBe('Something went wrong on our side. It has been logged; please try again in a minute.');
    expect(log).toHaveBeenCalledOnce();
  });

  it('GIVEN an admin-only command from a non-admin THEN it is refused before the handler runs', async () => {
    const r = await executeCommand(admin, { text: '' }, testContext(testWorld(), 'u', undefined, false));
    expect(r.error).toBe(true);
    expect(plainText(r.text)).toContain('/adm is for the admins of this chat');
  });

  it('GIVEN the limiter says wait THEN the reply says how long, and the handler does not run', async () => {
    const limiter: CommandLimiter = { take: () => 4_200 };
    const r = await executeCommand(admin, { text: '' }, testContext(testWorld()), limiter);
    expect(plainText(r.text)).toBe('Slow down: try again in 5 s');
  });

  it('GIVEN a UserError with suggestions THEN the reply keeps its message', async () => {
    const failing = defineCommand({
      ...boom,
      handler: async () => {
        throw new UserError('unknown_symbol', 'unknown pair "BTX"', { suggestions: ['BTC/USDT', 'BTT/USDT'] });
      },
    });
    const r = await executeCommand(failing, { text: '' }, testContext(testWorld()));
    expect(plainText(r.text)).toBe('Unknown pair "BTX"\nDid you mean: BTC/USDT, BTT/USDT');
  });
});
