import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../store/memory.js';
import { presetRule, SENSITIVITY_PRESETS } from '../core/rules.js';
import { subscriptionId, type Subscription } from '../ports/store.js';
import { StoreRuleSource, subscriptionRule } from './rule-source.js';

function sub(userId: string, over: Partial<Subscription> = {}): Subscription {
  const base = { kind: 'watch' as const, chat: { platform: 'telegram', chatId: userId }, userId, symbol: 'BTC/USDT', ...over };
  return { thresholds: { ...SENSITIVITY_PRESETS.normal }, createdAt: 0, updatedAt: 0, ...base, id: subscriptionId(base) };
}

const LIMITS = { perUser: 10, perChat: 10 };

describe('StoreRuleSource', () => {
  it('GIVEN several watchers of a stream THEN rulesFor lists their distinct thresholds, venue filters applied, paused left out', async () => {
    const store = new MemoryStore();
    await store.putSubscription(sub('a'), LIMITS);
    await store.putSubscription(sub('b'), LIMITS); // same thresholds as a: one rule
    await store.putSubscription(sub('c', { venue: 'okx', thresholds: { ...SENSITIVITY_PRESETS.high } }), LIMITS);
    await store.putSubscription(sub('d', { thresholds: { ...SENSITIVITY_PRESETS.low }, paused: { reason: 'blocked', at: 1 } }), LIMITS);
    const src = new StoreRuleSource(store, { everywhere: [{ ...SENSITIVITY_PRESETS.low, movePct: 10 }] });
    expect(await src.refresh()).toBe(true);
    const operator = presetRule('low', { movePct: 10 }).id;
    expect(src.rulesFor('binance', 'BTC/USDT').map((r) => r.id).sort()).toEqual([operator, presetRule('normal').id].sort());
    expect(src.rulesFor('okx', 'BTC/USDT').map((r) => r.id).sort()).toEqual([operator, presetRule('normal').id, presetRule('high').id].sort());
    expect(src.rulesFor('binance', 'ETH/USDT').map((r) => r.id)).toEqual([operator]);
  });

  it('bumps its version only when the store changed, so the engine re-asks exactly then', async () => {
    const store = new MemoryStore();
    const src = new StoreRuleSource(store);
    await src.refresh();
    const v = src.version;
    expect(await src.refresh()).toBe(false);
    expect(src.version).toBe(v);
    expect(src.rulesFor('binance', 'BTC/USDT')).toEqual([]);
    await store.putSubscription(sub('a'), LIMITS);
    expect(await src.refresh()).toBe(true);
    expect(src.version).toBe(v + 1);
    expect(src.rulesFor('binance', 'BTC/USDT')).toHaveLength(1);
  });

  it('fills thresholds a stored record lacks from its preset', () => {
    const { minMoveSigma: _drop, ...old } = SENSITIVITY_PRESETS.high;
    expect(subscriptionRule({ thresholds: old as never, sensitivity: 'high' }).id).toBe(presetRule('high').id);
  });
});
