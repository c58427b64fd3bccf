import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../store/memory.js';
import { UserError } from '../core/errors.js';
import { SENSITIVITY_PRESETS } from '../core/rules.js';
import { SubscriptionService, type Actor, type SymbolResolver } from './subscriptions.js';

const KNOWN = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'DOGE/USDT'];
const resolveSymbol: SymbolResolver = (input, venue) => {
  if (venue !== undefined && !['binance', 'okx'].includes(venue)) return { ok: false, reason: 'unknown_venue', suggestions: ['binance', 'okx'] };
  const s = input.toUpperCase().replace(/^([A-Z]+)(USDT)$/, '$1/$2');
  return KNOWN.includes(s) ? { ok: true, symbol: s } : { ok: false, reason: 'unknown_symbol', suggestions: KNOWN.filter((k) => k[0] === s[0]) };
};

const alice: Actor = { chat: { platform: 'telegram', chatId: '1', chatType: 'private' }, userId: 'alice' };
const aliceInGroup: Actor = { chat: { platform: 'telegram', chatId: '-100', chatType: 'group' }, userId: 'alice' };
const bob: Actor = { chat: { platform: 'telegram', chatId: '2', chatType: 'private' }, userId: 'bob' };

async function rejects(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('SubscriptionService', () => {
  let now: number;
  let store: MemoryStore;
  let svc: SubscriptionService;
  let changes: number;
  beforeEach(() => {
    now = Date.UTC(2025, 7, 11, 12);
    store = new MemoryStore({ now: () => now });
    changes = 0;
    svc = new SubscriptionService({
      store,
      clock: { now: () => now },
      resolveSymbol,
      limits: { perUser: 3, perChat: 5 },
      onChange: () => changes++,
    });
  });

  it('GIVEN a pair typed loosely THEN watch stores the resolved symbol with the default preset', async () => {
    const s = await svc.watch(alice, { symbol: 'btcusdt' });
    expect(s).toMatchObject({ symbol: 'BTC/USDT', kind: 'watch', userId: 'alice', sensitivity: 'normal', thresholds: SENSITIVITY_PRESETS.normal });
    expect(changes).toBe(1);
    expect((await svc.list(alice)).watches.map((x) => x.symbol)).toEqual(['BTC/USDT']);
  });

  it('GIVEN an unknown pair THEN watch refuses with unknown_symbol and suggestions', async () => {
    const e = await rejects(svc.watch(alice, { symbol: 'BTX/USDT' }));
    expect(e.code).toBe('unknown_symbol');
    expect(e.message).toContain('did you mean BTC/USDT');
    expect(e.details['suggestions']).toEqual(['BTC/USDT']);
    const v = await rejects(svc.watch(alice, { symbol: 'BTC/USDT', venue: 'nowhere' }));
    expect(v.code).toBe('unknown_venue');
  });

  it('GIVEN a threshold outside RULE_LIMITS THEN the error names the allowed range', async () => {
    const e = await rejects(svc.watch(alice, { symbol: 'BTC/USDT', thresholds: { movePct: 900 } }));
    expect(e.code).toBe('out_of_range');
    expect(e.message).toBe('move % must be between 0 and 500, got 900');
    expect(e.details).toMatchObject({ field: 'movePct', min: 0, max: 500, value: 900 });
    const w = await rejects(svc.watch(alice, { symbol: 'BTC/USDT', thresholds: { moveWindowMs: 500 } }));
    expect(w.message).toBe('window must be between 1 second and 1 day, got 500 ms');
    expect(await store.allSubscriptions()).toEqual([]);
  });

  it('GIVEN the per-user limit is reached THEN a new watch is refused with the limit, and re-watching an existing pair still works', async () => {
    for (const symbol of ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']) await svc.watch(alice, { symbol });
    const e = await rejects(svc.watch(alice, { symbol: 'DOGE/USDT' }));
    expect(e.code).toBe('limit_reached');
    expect(e.details).toEqual({ scope: 'user', limit: 3 });
    expect(e.message).toContain('3');
    expect((await svc.watch(alice, { symbol: 'BTC/USDT', sensitivity: 'high' })).sensitivity).toBe('high');
  });

  it('GIVEN a feed that would pass the per-chat limit THEN no part of it is created', async () => {
    const channel: Actor = { chat: { platform: 'discord', chatId: 'news', chatType: 'channel' }, userId: 'admin' };
    await svc.feed(channel, ['BTC/USDT', 'ETH/USDT']);
    await store.setLimit('chat', 'discord', 'news', 3);
    const e = await rejects(svc.feed(channel, ['SOL/USDT', 'DOGE/USDT']));
    expect(e.details).toEqual({ scope: 'chat', limit: 3 });
    expect((await store.subscriptionsInChat('discord', 'news')).map((s) => s.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(await svc.unfeed(channel.chat, ['btc/usdt'])).toBe(1);
    expect(await svc.unfeed(channel.chat)).toBe(1);
    expect((await rejects(svc.unfeed(channel.chat))).code).toBe('not_found');
  });

  it('unwatch removes the pair in this chat only and says what the user does watch when the pair is not watched', async () => {
    await svc.watch(alice, { symbol: 'BTC/USDT' });
    await svc.watch(aliceInGroup, { symbol: 'BTC/USDT' });
    expect((await svc.unwatch(alice, 'btc/usdt')).map((s) => s.chat.chatId)).toEqual(['1']);
    expect((await store.subscriptionsOfUser('telegram', 'alice')).map((s) => s.chat.chatId)).toEqual(['-100']);
    const e = await rejects(svc.unwatch(alice, 'ETH/USDT'));
    expect(e.code).toBe('not_found');
  });

  it('set changes thresholds of one pair and validates the result; sensitivity resets to a preset', async () => {
    await svc.watch(alice, { symbol: 'BTC/USDT' });
    await svc.watch(alice, { symbol: 'ETH/USDT' });
    const [s] = await svc.setThresholds(alice, 'BTC/USDT', { movePct: 3, direction: 'up' });
    expect(s?.thresholds).toMatchObject({ movePct: 3, direction: 'up' });
    expect((await rejects(svc.setThresholds(alice, 'BTC/USDT', { minScore: 0.2 }))).code).toBe('out_of_range');
    expect((await rejects(svc.setThresholds(alice, 'BTC/USDT', { direction: 'sideways' as never }))).code).toBe('bad_input');
    const all = await svc.setSensitivity(alice, 'low');
    expect(all.map((x) => x.thresholds)).toEqual([SENSITIVITY_PRESETS.low, SENSITIVITY_PRESETS.low]);
    expect((await rejects(svc.setSensitivity(alice, 'extreme' as never))).code).toBe('bad_input');
  });

  it('mute sets muted-until on the user\'s watches and refuses durations outside the allowed range', async () => {
    await svc.watch(alice, { symbol: 'BTC/USDT' });
    await svc.watch(aliceInGroup, { symbol: 'ETH/USDT' });
    const { until, subscriptions } = await svc.mute(alice, 3_600_000);
    expect(until).toBe(now + 3_600_000);
    expect(subscriptions.map((s) => s.mutedUntil)).toEqual([until, until]);
    const e = await rejects(svc.mute(alice, 90 * 24 * 3_600_000));
    expect(e.message).toBe('mute duration must be between 1 minute and 30 days, got 90 days');
    expect((await svc.unmute(alice, 'BTC/USDT'))[0]?.mutedUntil).toBeUndefined();
  });

  it('quiet hours are checked, applied to every watch of the user, and inherited by new watches', async () => {
    await svc.watch(alice, { symbol: 'BTC/USDT' });
    const set = await svc.setQuietHours(alice, { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' });
    expect(set[0]?.quiet).toEqual({ start: '22:00', end: '07:00', timeZone: 'Europe/Paris' });
    expect((await svc.watch(aliceInGroup, { symbol: 'SOL/USDT' })).quiet?.timeZone).toBe('Europe/Paris');
    expect((await rejects(svc.setQuietHours(alice, { start: '25:00', end: '07:00', timeZone: 'UTC' }))).code).toBe('bad_input');
    expect((await rejects(svc.setQuietHours(alice, { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' }))).message).toContain('unknown time zone');
    expect((await svc.setQuietHours(alice, null)).every((s) => s.quiet === undefined)).toBe(true);
  });

  it('GIVEN a chat that can no longer receive THEN pauseChat pauses it with the reason, and its owner can see and resume it', async () => {
    await svc.watch(alice, { symbol: 'BTC/USDT' });
    await svc.watch(bob, { symbol: 'BTC/USDT' });
    now += 1_000;
    const paused = await svc.pauseChat('telegram', '1', 'user blocked the bot');
    expect(paused).toHaveLength(1);
    expect(paused[0]?.paused).toEqual({ reason: 'user blocked the bot', at: now });
    expect(await svc.pauseChat('telegram', '1', 'again')).toEqual([]);
    expect((await svc.pausedFor(alice)).map((s) => s.paused?.reason)).toEqual(['user blocked the bot']);
    expect(await svc.pausedFor(bob)).toEqual([]);
    expect((await svc.resume(alice))[0]?.paused).toBeUndefined();
    expect(await svc.pausedFor(alice)).toEqual([]);
  });
});
