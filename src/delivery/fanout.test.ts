import { describe, expect, it } from 'vitest';
import { makeAlert, makeSub } from '../../test/store/conformance.js';
import { presetRule, SENSITIVITY_PRESETS } from '../engine/core/rules.js';
import { QuietHoursClock } from '../engine/services/quiet-hours.js';
import { DIVERGENCE } from '../engine/composite/divergence.js';
import { HIGH_SEVERITY, planFanOut, type StaticRoute } from './fanout.js';

const NOW = Date.UTC(2025, 7, 11, 12, 0);
const ctx = { now: NOW, quiet: new QuietHoursClock(), severity: HIGH_SEVERITY };
const normal = presetRule('normal').id;
const alert = makeAlert({ rules: [normal], change: { pct: 2, windowMs: 60_000, fromPrice: 1, fromTs: 0 }, score: 0.99 });

describe('planFanOut', () => {
  it('GIVEN subscribers with matching and other thresholds THEN only those whose rule the alert satisfied receive it', () => {
    const yes = makeSub({ userId: 'a', chat: { platform: 'telegram', chatId: 'a' } });
    const other = makeSub({ userId: 'b', chat: { platform: 'telegram', chatId: 'b' }, thresholds: { ...SENSITIVITY_PRESETS.low } });
    const r = planFanOut(alert, [yes, other], [], ctx);
    expect(r.map((x) => x.to.chatId)).toEqual(['a']);
    expect(r[0]?.subscriptions).toEqual([yes.id]);
  });

  it('applies the venue filter, paused and muted subscriptions, and another symbol', () => {
    const subs = [
      makeSub({ userId: 'v1', chat: { platform: 'telegram', chatId: 'v1' }, venue: 'binance' }),
      makeSub({ userId: 'v2', chat: { platform: 'telegram', chatId: 'v2' }, venue: 'okx' }),
      makeSub({ userId: 'p', chat: { platform: 'telegram', chatId: 'p' }, paused: { reason: 'blocked', at: 1 } }),
      makeSub({ userId: 'm', chat: { platform: 'telegram', chatId: 'm' }, mutedUntil: NOW + 1 }),
      makeSub({ userId: 'mx', chat: { platform: 'telegram', chatId: 'mx' }, mutedUntil: NOW }),
      makeSub({ userId: 'e', chat: { platform: 'telegram', chatId: 'e' }, symbol: 'ETH/USDT' }),
    ];
    expect(planFanOut(alert, subs, [], ctx).map((x) => x.to.chatId).sort()).toEqual(['mx', 'v1']);
  });

  it('GIVEN an echo of another venue\'s alert of the same move THEN followers of the symbol on any venue and static routes skip it, followers of its venue still get it', () => {
    const high = presetRule('high').id;
    const echo = { ...alert, rules: [normal, high], echo: { of: 'okx-first', venue: 'okx', ts: NOW - 5_000, rules: [normal] } };
    const subs = [
      makeSub({ userId: 'any', chat: { platform: 'telegram', chatId: 'any' } }),
      makeSub({ userId: 'pinned', chat: { platform: 'telegram', chatId: 'pinned' }, venue: echo.venue }),
      makeSub({ userId: 'hi', chat: { platform: 'telegram', chatId: 'hi' }, thresholds: { ...SENSITIVITY_PRESETS.high } }),
    ];
    const routes: StaticRoute[] = [
      { to: { platform: 'console', chatId: 'stdout' }, thresholds: { ...SENSITIVITY_PRESETS.normal } },
      { to: { platform: 'webhook', chatId: 'hi' }, thresholds: { ...SENSITIVITY_PRESETS.high } },
    ];
    // 'hi' follows a rule this alert is the first to satisfy: news for it.
    expect(planFanOut(echo, subs, routes, ctx).map((x) => `${x.to.platform}:${x.to.chatId}`).sort()).toEqual(['telegram:hi', 'telegram:pinned', 'webhook:hi']);
    // Without the echo everyone gets it.
    expect(planFanOut({ ...echo, echo: undefined }, subs, routes, ctx)).toHaveLength(5);
  });

  it('GIVEN quiet hours now THEN an ordinary alert waits it out and a high-severity one breaks through', () => {
    const night = { start: '11:00', end: '13:00', timeZone: 'UTC' };
    const sleeper = makeSub({ userId: 's', chat: { platform: 'telegram', chatId: 's' }, quiet: night });
    expect(planFanOut(alert, [sleeper], [], ctx)).toEqual([]);
    const big = { ...alert, score: 0.9995, change: { ...alert.change, pct: -7 } };
    expect(planFanOut(big, [sleeper], [], ctx)).toHaveLength(1);
  });

  it('GIVEN several watchers in one group and a feed THEN the group gets one delivery mentioning the watchers', () => {
    const group = { platform: 'telegram', chatId: '-100', chatType: 'group' as const };
    const subs = [
      makeSub({ userId: 'x', chat: group }),
      makeSub({ userId: 'y', chat: group }),
      makeSub({ kind: 'feed', userId: 'admin', chat: group }),
      makeSub({ userId: 'dm', chat: { platform: 'telegram', chatId: '5', chatType: 'private' } }),
    ];
    const r = planFanOut(alert, subs, [], ctx);
    expect(r).toHaveLength(2);
    const g = r.find((x) => x.to.chatId === '-100');
    expect(g?.mentions).toEqual(['x', 'y']);
    expect(g?.subscriptions).toHaveLength(3);
    expect(r.find((x) => x.to.chatId === '5')?.mentions).toEqual([]);
  });

  it('adds static routes whose symbols and thresholds match, without burst merging by default', () => {
    const routes: StaticRoute[] = [
      { to: { platform: 'webhook', chatId: 'all' }, thresholds: { ...SENSITIVITY_PRESETS.normal } },
      { to: { platform: 'email', chatId: 'eth-only' }, symbols: ['ETH/USDT'], thresholds: { ...SENSITIVITY_PRESETS.normal } },
      { to: { platform: 'webhook', chatId: 'strict' }, thresholds: { ...SENSITIVITY_PRESETS.low } },
    ];
    const r = planFanOut(alert, [], routes, ctx);
    expect(r).toEqual([{ to: { platform: 'webhook', chatId: 'all' }, mentions: [], subscriptions: [], mergeBursts: false }]);
  });

  it('GIVEN a cross-venue divergence alert THEN everyone following the symbol gets it, whatever their thresholds', () => {
    const div = makeAlert({ rules: [DIVERGENCE], venue: 'okx' });
    const strict = makeSub({ userId: 'x', chat: { platform: 'telegram', chatId: 'x' }, thresholds: { ...SENSITIVITY_PRESETS.low } });
    const other = makeSub({ userId: 'y', chat: { platform: 'telegram', chatId: 'y' }, venue: 'binance' });
    const route: StaticRoute = { to: { platform: 'console', chatId: 'stdout' }, thresholds: { ...SENSITIVITY_PRESETS.high } };
    expect(planFanOut(div, [strict, other], [route], ctx).map((r) => r.to.chatId).sort()).toEqual(['stdout', 'x']);
  });
});
