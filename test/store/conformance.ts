import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetRule } from '../../src/engine/core/rules.js';
import type { AlertEvent } from '../../src/engine/core/types.js';
import { subscriptionId, type ChatAddress, type Store, type Subscription, type SubscriptionLimits } from '../../src/engine/ports/store.js';

export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

const LIMITS: SubscriptionLimits = { perUser: 3, perChat: 4 };
const RETENTION = { historyPerStream: 3, ttlMs: 60_000 };
const { id: _ignored, ...THRESHOLDS } = presetRule('normal');

export function makeSub(over: Partial<Omit<Subscription, 'id'>> & { chat?: ChatAddress } = {}): Subscription {
  const base = {
    kind: 'watch' as const,
    chat: { platform: 'telegram', chatId: '100', chatType: 'private' as const },
    userId: 'u1',
    symbol: 'BTC/USDT',
    thresholds: { ...THRESHOLDS },
    createdAt: 1_000,
    updatedAt: 1_000,
    ...over,
  };
  return { ...base, id: subscriptionId(base) };
}

export function makeAlert(over: Partial<AlertEvent> = {}): AlertEvent {
  const venue = over.venue ?? 'binance';
  const symbol = over.symbol ?? 'BTC/USDT';
  const ts = over.ts ?? 1_754_923_923_000;
  return {
    id: `${venue}-${symbol.replace('/', '')}-${ts}-up-0000abcd`,
    venue,
    symbol,
    ts,
    barTs: ts - 1_000,
    price: 63_870.5,
    direction: 'up',
    change: { pct: 6.4, windowMs: 120_000, fromPrice: 60_000, fromTs: ts - 120_000 },
    score: 0.98,
    detectors: [{ name: 'burst', score: 0.9999, explanation: '212 trades' }],
    explanation: 'BTC/USDT on binance moved +6.4% in 2 minutes',
    rules: [presetRule('normal').id],
    quoteVolume: 1e6,
    late: false,
    ...over,
  };
}

/** The store contract: every implementation must pass all of it. */
export function storeConformance(name: string, open: () => Promise<StoreFixture>): void {
  describe(`store conformance: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    beforeAll(async () => {
      fx = await open();
      store = fx.store;
    });
    afterAll(async () => {
      await fx.cleanup();
    });

    describe('subscriptions', () => {
      it('creates a subscription, then updates the same record when the same thing is watched again', async () => {
        const s = makeSub({ chat: { platform: 'telegram', chatId: 'c-create' } });
        const v0 = await store.subscriptionsVersion();
        expect((await store.putSubscription(s, LIMITS)).status).toBe('created');
        expect(await store.getSubscription(s.id)).toEqual(s);
        const changed = { ...s, thresholds: { ...s.thresholds, movePct: 3 }, updatedAt: 2_000 };
        expect((await store.putSubscription(changed, LIMITS)).status).toBe('updated');
        expect(await store.getSubscription(s.id)).toEqual(changed);
        expect(await store.subscriptionsVersion()).toBeGreaterThanOrEqual(v0 + 2);
        expect(await store.subscriptionsInChat('telegram', 'c-create')).toHaveLength(1);
      });

      it('finds everyone watching a symbol, on any venue and in any chat, through the reverse index', async () => {
        const a = makeSub({ symbol: 'REV/USDT', chat: { platform: 'telegram', chatId: 'r1' } });
        const b = makeSub({ symbol: 'REV/USDT', venue: 'okx', userId: 'u2', chat: { platform: 'discord', chatId: 'r2' } });
        const feed = makeSub({ kind: 'feed', symbol: 'REV/USDT', userId: 'admin', chat: { platform: 'discord', chatId: 'r3', chatType: 'channel' } });
        const other = makeSub({ symbol: 'OTHER/USDT', chat: { platform: 'telegram', chatId: 'r1' } });
        for (const s of [a, b, feed, other]) await store.putSubscription(s, LIMITS);
        const found = await store.subscriptionsForSymbol('REV/USDT');
        expect(found.map((s) => s.id).sort()).toEqual([a.id, b.id, feed.id].sort());
        expect(found.find((s) => s.id === b.id)).toEqual(b);
        expect(await store.subscriptionsForSymbol('NONE/USDT')).toEqual([]);
      });

      it('lists a chat and a user; a feed counts for its chat, not for the member who set it up', async () => {
        const w = makeSub({ symbol: 'LST/USDT', userId: 'lister', chat: { platform: 'discord', chatId: 'l1' } });
        const f = makeSub({ kind: 'feed', symbol: 'LST/USDT', userId: 'lister', chat: { platform: 'discord', chatId: 'l1' } });
        await store.putSubscription(w, LIMITS);
        await store.putSubscription(f, LIMITS);
        expect((await store.subscriptionsInChat('discord', 'l1')).map((s) => s.kind).sort()).toEqual(['feed', 'watch']);
        expect((await store.subscriptionsOfUser('discord', 'lister')).map((s) => s.id)).toEqual([w.id]);
        expect(await store.subscriptionsOfUser('telegram', 'lister')).toEqual([]);
      });

      it('refuses a new watch beyond the per-user limit and names the limit; replacing an existing one still works', async () => {
        const mk = (i: number) => makeSub({ userId: 'greedy', symbol: `U${i}/USDT`, chat: { platform: 'telegram', chatId: `g${i}` } });
        for (let i = 0; i < LIMITS.perUser; i++) expect((await store.putSubscription(mk(i), LIMITS)).status).toBe('created');
        expect(await store.putSubscription(mk(99), LIMITS)).toEqual({ status: 'limit_reached', scope: 'user', limit: LIMITS.perUser });
        expect(await store.getSubscription(mk(99).id)).toBeNull();
        expect((await store.putSubscription({ ...mk(0), mutedUntil: 5 }, LIMITS)).status).toBe('updated');
        // The same user on another platform is someone else.
        expect((await store.putSubscription({ ...mk(99), chat: { platform: 'discord', chatId: 'g99' }, id: subscriptionId({ ...mk(99), chat: { platform: 'discord', chatId: 'g99' } }) }, LIMITS)).status).toBe('created');
      });

      it('refuses a new subscription beyond the per-chat limit, watches and feeds counted together', async () => {
        const chat = { platform: 'discord', chatId: 'crowded' };
        for (let i = 0; i < LIMITS.perChat; i++) {
          const kind = i % 2 ? ('feed' as const) : ('watch' as const);
          expect((await store.putSubscription(makeSub({ kind, chat, userId: `m${i}`, symbol: `C${i}/USDT` }), LIMITS)).status).toBe('created');
        }
        expect(await store.putSubscription(makeSub({ chat, userId: 'late', symbol: 'LATE/USDT' }), LIMITS)).toEqual({ status: 'limit_reached', scope: 'chat', limit: LIMITS.perChat });
      });

      it('applies a stored limit override before the default, and forgets it when set to null', async () => {
        const chat = { platform: 'telegram', chatId: 'vip' };
        expect(await store.getLimit('chat', 'telegram', 'vip')).toBeNull();
        await store.setLimit('chat', 'telegram', 'vip', 1);
        expect(await store.getLimit('chat', 'telegram', 'vip')).toBe(1);
        expect((await store.putSubscription(makeSub({ chat, symbol: 'V1/USDT', userId: 'v' }), LIMITS)).status).toBe('created');
        expect(await store.putSubscription(makeSub({ chat, symbol: 'V2/USDT', userId: 'v' }), LIMITS)).toEqual({ status: 'limit_reached', scope: 'chat', limit: 1 });
        await store.setLimit('chat', 'telegram', 'vip', null);
        expect(await store.getLimit('chat', 'telegram', 'vip')).toBeNull();
        expect((await store.putSubscription(makeSub({ chat, symbol: 'V2/USDT', userId: 'v' }), LIMITS)).status).toBe('created');
        await store.setLimit('user', 'telegram', 'v', 9);
        expect(await store.getLimit('user', 'telegram', 'v')).toBe(9);
      });

      it('updates records with a change function; concurrent changes to one record both land', async () => {
        const s = makeSub({ symbol: 'UPD/USDT', userId: 'updater', chat: { platform: 'telegram', chatId: 'upd' } });
        expect((await store.putSubscription(s, LIMITS)).status).toBe('created');
        const quiet = { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' };
        await Promise.all([
          store.updateSubscriptions([s.id], (x) => ({ ...x, mutedUntil: 9_000 })),
          store.updateSubscriptions([s.id], (x) => ({ ...x, quiet })),
          store.updateSubscriptions([s.id], (x) => ({ ...x, paused: { reason: 'bot removed', at: 5 } })),
        ]);
        const got = await store.getSubscription(s.id);
        expect(got).toMatchObject({ mutedUntil: 9_000, quiet, paused: { reason: 'bot removed', at: 5 } });
        expect(await store.updateSubscriptions([s.id, 'no-such-id'], () => null)).toEqual([]);
        const [u] = await store.updateSubscriptions([s.id, 'no-such-id'], (x) => ({ ...x, id: 'ignored', mutedUntil: undefined }));
        expect(u?.id).toBe(s.id);
        expect((await store.getSubscription(s.id))?.mutedUntil).toBeUndefined();
      });

      it('removes subscriptions from the record and from every index', async () => {
        const s = makeSub({ symbol: 'DEL/USDT', userId: 'deleter', chat: { platform: 'telegram', chatId: 'del' } });
        expect((await store.putSubscription(s, LIMITS)).status).toBe('created');
        const v = await store.subscriptionsVersion();
        expect(await store.removeSubscriptions([s.id, 'no-such-id'])).toBe(1);
        expect(await store.getSubscription(s.id)).toBeNull();
        expect(await store.subscriptionsForSymbol('DEL/USDT')).toEqual([]);
        expect(await store.subscriptionsInChat('telegram', 'del')).toEqual([]);
        expect(await store.subscriptionsOfUser('telegram', 'deleter')).toEqual([]);
        expect(await store.subscriptionsVersion()).toBeGreaterThan(v);
        expect(await store.removeSubscriptions([])).toBe(0);
      });

      it('lists every subscription', async () => {
        const all = await store.allSubscriptions();
        expect(all.length).toBeGreaterThan(5);
        expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
      });
    });

    describe('window snapshots', () => {
      it('saves opaque bytes per stream and gives them back unchanged', async () => {
        const a = new Uint8Array([0, 1, 2, 255, 254, 0, 13, 10]);
        const b = new Uint8Array(70_000).map((_, i) => i % 251);
        await store.saveSnapshots([
          { stream: 'binance:BTC/USDT', data: a },
          { stream: 'okx:ETH/USDT', data: b },
        ]);
        expect(await store.loadSnapshot('binance:BTC/USDT')).toEqual(a);
        expect(await store.loadSnapshot('okx:ETH/USDT')).toEqual(b);
        expect(await store.listSnapshots()).toEqual(['binance:BTC/USDT', 'okx:ETH/USDT']);
        await store.saveSnapshots([{ stream: 'binance:BTC/USDT', data: new Uint8Array([7]) }]);
        expect(await store.loadSnapshot('binance:BTC/USDT')).toEqual(new Uint8Array([7]));
        await store.deleteSnapshot('okx:ETH/USDT');
        expect(await store.loadSnapshot('okx:ETH/USDT')).toBeNull();
        expect(await store.listSnapshots()).toEqual(['binance:BTC/USDT']);
      });
    });

    describe('alerts', () => {
      it('records an alert once, reads it by id, and keeps a capped history per stream, newest first', async () => {
        const t0 = 1_800_000_000_000;
        const bin = [0, 1, 2, 3, 4].map((i) => makeAlert({ symbol: 'HIS/USDT', venue: 'binance', ts: t0 + i * 1_000 }));
        const okx = makeAlert({ symbol: 'HIS/USDT', venue: 'okx', ts: t0 + 2_500 });
        for (const a of bin) expect(await store.recordAlert(a, RETENTION)).toBe(true);
        expect(await store.recordAlert(okx, RETENTION)).toBe(true);
        expect(await store.recordAlert(bin[4] as AlertEvent, RETENTION)).toBe(false);
        expect(await store.getAlert(okx.id)).toEqual(okx);
        expect(await store.getAlert('no-such-alert')).toBeNull();
        const recent = await store.recentAlerts('HIS/USDT', 10);
        // binance keeps its newest 3 (cap per stream); okx its one.
        expect(recent.map((a) => a.id)).toEqual([bin[4], bin[3], okx, bin[2]].map((a) => (a as AlertEvent).id));
        expect((await store.recentAlerts('HIS/USDT', 2)).map((a) => a.id)).toEqual([bin[4], bin[3]].map((a) => (a as AlertEvent).id));
        expect((await store.recentAlerts('HIS/USDT', 10, 'okx')).map((a) => a.id)).toEqual([okx.id]);
        expect(await store.recentAlerts('NONE/USDT', 10)).toEqual([]);
      });

      it('keeps a chart and per-platform media refs by alert id', async () => {
        const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]);
        await store.putChart('chart-alert', png, 60_000);
        expect(await store.getChart('chart-alert')).toEqual(png);
        expect(await store.getChart('no-chart')).toBeNull();
        await store.setMediaRef('chart-alert', 'telegram', 'AgACAgIAAxkBAAI', 60_000);
        expect(await store.getMediaRef('chart-alert', 'telegram')).toBe('AgACAgIAAxkBAAI');
        expect(await store.getMediaRef('chart-alert', 'discord')).toBeNull();
      });

      it('counts one vote per user and alert: a new vote replaces the old, null withdraws it', async () => {
        expect(await store.getFeedback('fb-alert')).toEqual({ up: 0, down: 0 });
        await store.setFeedback('fb-alert', 'telegram:1', 1, 60_000);
        await store.setFeedback('fb-alert', 'telegram:2', 1, 60_000);
        expect(await store.setFeedback('fb-alert', 'discord:3', -1, 60_000)).toEqual({ up: 2, down: 1 });
        expect(await store.setFeedback('fb-alert', 'telegram:2', -1, 60_000)).toEqual({ up: 1, down: 2 });
        expect(await store.setFeedback('fb-alert', 'telegram:1', null, 60_000)).toEqual({ up: 0, down: 2 });
        expect(await store.getFeedback('fb-alert')).toEqual({ up: 0, down: 2 });
      });
    });

    describe('delivery receipts', () => {
      it('keeps the first receipt of a delivery and refuses a second', async () => {
        expect(await store.getReceipt('d-1')).toBeNull();
        expect(await store.putReceipt('d-1', { at: 1, messageId: 'm1', mediaRef: 'f1' }, 60_000)).toBe(true);
        expect(await store.putReceipt('d-1', { at: 2, messageId: 'm2' }, 60_000)).toBe(false);
        expect(await store.getReceipt('d-1')).toEqual({ at: 1, messageId: 'm1', mediaRef: 'f1' });
      });

      it('forgets a receipt after its time to live', async () => {
        await store.putReceipt('d-short', { at: 1 }, 30);
        await new Promise((r) => setTimeout(r, 120));
        expect(await store.getReceipt('d-short')).toBeNull();
      });
    });

    describe('send-attempt markers', () => {
      it('answers the marker a new attempt replaces (none on a first send) and keeps the first send\'s time', async () => {
        expect(await store.getAttempt('t-1')).toBeNull();
        expect(await store.markAttempt('t-1', { at: 10, attempt: 1 }, 60_000)).toBeNull();
        expect(await store.getAttempt('t-1')).toEqual({ at: 10, attempt: 1, firstAt: 10 });
        expect(await store.markAttempt('t-1', { at: 20, attempt: 2 }, 60_000)).toEqual({ at: 10, attempt: 1, firstAt: 10 });
        expect(await store.markAttempt('t-1', { at: 30, attempt: 3 }, 60_000)).toEqual({ at: 20, attempt: 2, firstAt: 10 });
        expect(await store.getAttempt('t-1')).toEqual({ at: 30, attempt: 3, firstAt: 10 });
        expect(await store.getAttempt('t-2')).toBeNull();
      });

      it('drops a marker when cleared or after its time to live', async () => {
        await store.markAttempt('t-clear', { at: 1, attempt: 1 }, 60_000);
        await store.clearAttempt('t-clear');
        expect(await store.getAttempt('t-clear')).toBeNull();
        expect(await store.markAttempt('t-clear', { at: 2, attempt: 2 }, 60_000)).toBeNull();
        expect(await store.getAttempt('t-clear')).toEqual({ at: 2, attempt: 2, firstAt: 2 });
        await store.markAttempt('t-short', { at: 1, attempt: 1 }, 30);
        await new Promise((r) => setTimeout(r, 120));
        expect(await store.getAttempt('t-short')).toBeNull();
      });

      it('keeps the parts of a multi-call message apart from the marker: a cleared marker leaves them, clearing them or their time to live drops them', async () => {
        expect(await store.getSentParts('p-1')).toEqual([]);
        await store.markAttempt('p-1', { at: 1, attempt: 1 }, 60_000);
        await store.addSentPart('p-1', 'photo', 60_000);
        await store.addSentPart('p-1', 'photo', 60_000);
        await store.addSentPart('p-1', 'text', 60_000);
        await store.clearAttempt('p-1');
        expect((await store.getSentParts('p-1')).sort()).toEqual(['photo', 'text']);
        expect(await store.getSentParts('p-2')).toEqual([]);
        await store.clearSentParts('p-1');
        expect(await store.getSentParts('p-1')).toEqual([]);
        await store.addSentPart('p-short', 'photo', 30);
        await new Promise((r) => setTimeout(r, 120));
        expect(await store.getSentParts('p-short')).toEqual([]);
      });
    });

    describe('burst windows', () => {
      const offer = async (dest: string, item: string, now: number, w: number) => (await store.burstOffer([dest], item, now, w))[0];
      it('sends the first alert, holds the rest of the window, and hands them over once at the flush', async () => {
        const dest = 'telegram:burst-1';
        const W = 5_000;
        const t = 1_000_000;
        expect(await offer(dest, 'a1', t, W)).toEqual({ action: 'send' });
        expect(await offer(dest, 'a2', t + 10, W)).toEqual({ action: 'hold', first: true, flushAt: t + W });
        expect(await offer(dest, 'a3', t + 20, W)).toEqual({ action: 'hold', first: false, flushAt: t + W });
        // Repeats (a retried job) get the same answers and add nothing.
        expect(await offer(dest, 'a1', t + 30, W)).toEqual({ action: 'send' });
        expect(await offer(dest, 'a2', t + 30, W)).toEqual({ action: 'hold', first: false, flushAt: t + W });
        expect(await store.burstTake(dest, t + W, t + W, W)).toEqual({ held: ['a2', 'a3'], leads: ['a1'] });
        expect(await store.burstTake(dest, t + W, t + W + 50, W)).toEqual({ held: ['a2', 'a3'], leads: ['a1'] });
        // The storm goes on: the flush opened a new window, so the next alert is held again.
        expect(await offer(dest, 'a4', t + W + 100, W)).toEqual({ action: 'hold', first: true, flushAt: t + 2 * W });
        expect(await store.burstTake(dest, t + 2 * W, t + 2 * W, W)).toEqual({ held: ['a4'], leads: [] });
        // Quiet after the last window: sent at once again.
        expect(await offer(dest, 'a5', t + 4 * W, W)).toEqual({ action: 'send' });
        expect(await store.burstTake(dest, t + 5 * W, t + 5 * W, W)).toEqual({ held: [], leads: [] });
      });

      it('offers one alert to many destinations in one call, answering each in order', async () => {
        const many = Array.from({ length: 2_500 }, (_, i) => `telegram:many-${i}`);
        expect(await store.burstOffer(many.slice(0, 2), 'm0', 100, 1_000)).toEqual([{ action: 'send' }, { action: 'send' }]);
        const answers = await store.burstOffer(many, 'm1', 150, 1_000);
        expect(answers).toHaveLength(2_500);
        expect(answers.slice(0, 3)).toEqual([
          { action: 'hold', first: true, flushAt: 1_100 },
          { action: 'hold', first: true, flushAt: 1_100 },
          { action: 'send' },
        ]);
        expect(answers.at(-1)).toEqual({ action: 'send' });
        expect(await store.burstOffer([], 'm2', 200, 1_000)).toEqual([]);
      });

      it('keeps destinations apart', async () => {
        expect(await offer('discord:x', 'b1', 10, 1_000)).toEqual({ action: 'send' });
        expect(await offer('discord:y', 'b1', 10, 1_000)).toEqual({ action: 'send' });
        expect(await offer('discord:x', 'b2', 20, 1_000)).toMatchObject({ action: 'hold', first: true });
        expect(await store.burstTake('discord:y', 1_010, 1_010, 1_000)).toEqual({ held: [], leads: [] });
      });
    });
  });
}
