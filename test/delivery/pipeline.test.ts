import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, TemporaryError } from '../../src/engine/core/errors.js';
import { SENSITIVITY_PRESETS } from '../../src/engine/core/rules.js';
import type { AlertEvent } from '../../src/engine/core/types.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import type { ChatAddress } from '../../src/engine/ports/store.js';
import { alertDeliveryId } from '../../src/delivery/address.js';
import { DISCORD_NONCE_WINDOW_MS, inDoubt, type InDoubt } from '../../src/delivery/guarantees.js';
import { DeliveryPipeline, type DeliveryDeps } from '../../src/delivery/pipeline.js';
import { InProcessQueueBackend } from '../../src/queue/memory.js';
import { MemoryRateLimiter } from '../../src/queue/rate-limit.js';
import { MemoryStore } from '../../src/store/memory.js';
import { makeAlert, makeSub } from '../store/conformance.js';
import { sleep, until } from '../queue/wait.js';
import { fakeChart, FakeDestination, PNG } from './fakes.js';

const BIG = { perUser: 100, perChat: 100 };
const pipelines: DeliveryPipeline[] = [];
const backends: InProcessQueueBackend[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.close();
  for (const b of backends.splice(0)) await b.close();
});

function setup(over: Partial<DeliveryDeps> = {}, store = new MemoryStore()) {
  const queues = new InProcessQueueBackend();
  const telegram = new FakeDestination('telegram', true);
  const discord = new FakeDestination('discord');
  const dead: { queue: string; id: string; err: unknown }[] = [];
  const renders: string[] = [];
  const pipeline = new DeliveryPipeline({
    store,
    queues,
    limiter: new MemoryRateLimiter(),
    clock: systemClock,
    destinations: [telegram, discord],
    chart: fakeChart(renders),
    onDeadLetter: (queue, job, err) => dead.push({ queue, id: job.id, err }),
    ...over,
    options: { burstWindowMs: 300, deliver: { attempts: 3, backoffMs: 20, concurrency: 10 }, rates: {}, ...over.options },
  });
  pipeline.start();
  pipelines.push(pipeline);
  backends.push(queues);
  return { store, queues, telegram, discord, dead, renders, pipeline };
}

const dm = (id: string): ChatAddress => ({ platform: 'telegram', chatId: id, chatType: 'private' });
const alertFor = (symbol: string, ts = 1_800_000_000_000) => makeAlert({ symbol, ts, id: `binance-${symbol.replace('/', '')}-${ts}-up-00000001` });

describe('DeliveryPipeline', () => {
  it('GIVEN watchers on two platforms THEN one alert reaches each chat once, with its text and chart, and is recorded', async () => {
    const { store, telegram, discord, pipeline, renders } = setup();
    await store.putSubscription(makeSub({ userId: 'a', chat: dm('a') }), BIG);
    await store.putSubscription(makeSub({ kind: 'feed', userId: 'admin', chat: { platform: 'discord', chatId: 'news', chatType: 'channel' } }), BIG);
    const alert = alertFor('BTC/USDT');
    await pipeline.sink.publish(alert);
    await until(() => telegram.sent.length === 1 && discord.sent.length === 1, 'both deliveries');
    const [t] = telegram.sent;
    expect(t?.text).toContain('[ALERT] BTC/USDT anomaly detected!');
    expect(t?.chart?.png).toEqual(PNG);
    expect(t?.kind).toBe('alert');
    expect(discord.sent[0]?.to.chatId).toBe('news');
    expect(renders).toEqual([alert.id]);
    expect(await store.getAlert(alert.id)).toEqual(alert);
    expect(await store.getMediaRef(alert.id, 'telegram')).toBe('file-1');
    await pipeline.sink.publish(alert);
    await sleep(100);
    expect(telegram.sent.length + discord.sent.length).toBe(2);
  });

  it('GIVEN a restart that lost the queue THEN the receipts stop a second send of the same alert', async () => {
    const first = setup();
    await first.store.putSubscription(makeSub({ userId: 'a', chat: dm('a') }), BIG);
    const alert = alertFor('BTC/USDT');
    await first.pipeline.sink.publish(alert);
    await until(() => first.telegram.sent.length === 1, 'the first delivery');
    const second = setup({}, first.store);
    await second.pipeline.render(alert);
    await until(async () => (await second.pipeline.status()).every((q) => q.counts.waiting + q.counts.active === 0), 'the queue to drain');
    expect(second.telegram.sent).toHaveLength(0);
  });

  it('GIVEN many pairs of one chat alerting together THEN the first goes out at once and the rest as one "N of M pairs" message', async () => {
    // A still clock: all six alerts fall in one window however slowly this machine runs them.
    const now = Date.now();
    const { store, telegram, pipeline } = setup({ clock: { now: () => now } });
    const symbols = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((s) => `${s}/USDT`);
    for (const symbol of symbols) await store.putSubscription(makeSub({ userId: 'a', chat: dm('a'), symbol }), BIG);
    for (const symbol of symbols.slice(0, 6)) await pipeline.sink.publish(alertFor(symbol));
    await until(() => telegram.sent.length === 2, 'the lead and the merged message');
    const [lead, merged] = telegram.sent;
    expect(lead?.kind).toBe('alert');
    expect(merged?.kind).toBe('burst');
    expect(merged?.alerts).toHaveLength(6);
    expect(merged?.pairsFollowed).toBe(8);
    expect(merged?.text.split('\n')[0]).toBe('[MARKET-WIDE MOVE] 6 of 8 pairs moved within 1 second');
    await sleep(400);
    expect(telegram.sent).toHaveLength(2);
  });

  it('GIVEN the platform says the bot was blocked THEN the chat is paused with the reason, the job is a visible dead letter, and later alerts skip the chat', async () => {
    const { store, telegram, dead, pipeline } = setup();
    const sub = makeSub({ userId: 'a', chat: dm('a') });
    await store.putSubscription(sub, BIG);
    telegram.fail = () => new PermanentError('Forbidden: bot was blocked by the user', 'user blocked the bot');
    await pipeline.sink.publish(alertFor('BTC/USDT'));
    await until(() => dead.length === 1, 'a dead letter');
    expect(telegram.calls).toBe(1);
    expect((await store.getSubscription(sub.id))?.paused?.reason).toBe('user blocked the bot');
    const status = await pipeline.status();
    const q = status.find((s) => s.name === 'deliver-telegram');
    expect(q?.counts.failed).toBe(1);
    expect(q?.deadLetters[0]?.error).toContain('bot was blocked');
    await pipeline.sink.publish(alertFor('BTC/USDT', 1_800_000_060_000));
    await until(async () => (await pipeline.status()).find((s) => s.name === 'render')?.counts.completed === 2, 'the second render');
    expect(telegram.calls).toBe(1);
  });

  it('GIVEN a 429 with retry-after THEN the delivery waits and succeeds without spending its only attempt', async () => {
    const { store, telegram, pipeline } = setup({ options: { deliver: { attempts: 1, backoffMs: 20, concurrency: 2 } } });
    await store.putSubscription(makeSub({ userId: 'a', chat: dm('a') }), BIG);
    telegram.fail = (_m, call) => (call < 2 ? new TemporaryError('Too Many Requests: retry after 0.05', { retryAfterMs: 50 }) : undefined);
    await pipeline.sink.publish(alertFor('BTC/USDT'));
    await until(() => telegram.sent.length === 1, 'the delivery after two 429s');
    expect(telegram.calls).toBe(3);
  });

  it('GIVEN a passing network failure THEN the delivery is retried with backoff and arrives once', async () => {
    const { store, telegram, pipeline } = setup();
    await store.putSubscription(makeSub({ userId: 'a', chat: dm('a') }), BIG);
    telegram.fail = (_m, call) => (call < 2 ? new Error('socket hang up') : undefined);
    await pipeline.sink.publish(alertFor('BTC/USDT'));
    await until(() => telegram.sent.length === 1, 'the retried delivery');
    await sleep(100);
    expect(telegram.sent).toHaveLength(1);
  });

  it('GIVEN the renderer fails THEN the alert still goes out, without a chart', async () => {
    const chart = fakeChart();
    chart.renderer.renderAlert = async () => {
      throw new Error('canvas exploded');
    };
    const errors: string[] = [];
    const { store, telegram, pipeline } = setup({ chart, onError: (_e, ctx) => errors.push(ctx) });
    await store.putSubscription(makeSub({ userId: 'a', chat: dm('a') }), BIG);
    const alert = alertFor('BTC/USDT');
    await pipeline.sink.publish(alert);
    await until(() => telegram.sent.length === 1, 'the delivery');
    expect(telegram.sent[0]?.chart).toBeUndefined();
    expect(errors).toContain(`chart for ${alert.id}`);
  });

  it('GIVEN a per-chat limit of one message a minute THEN one message goes out and the others wait for their own slots, spending no attempt', async () => {
    const to = dm('limited');
    const other = dm('free');
    const { telegram, pipeline } = setup({
      routes: [
        { to, thresholds: { ...SENSITIVITY_PRESETS.normal } },
        { to: other, thresholds: { ...SENSITIVITY_PRESETS.normal } },
      ],
      options: { rates: { telegram: { perChat: { max: 1, perMs: 60_000 } } }, deliver: { attempts: 1, backoffMs: 20, concurrency: 4 } },
    });
    const alerts: AlertEvent[] = ['A', 'B', 'C'].map((s) => alertFor(`${s}/USDT`));
    for (const a of alerts) await pipeline.sink.publish(a);
    await until(() => telegram.sent.filter((m) => m.to.chatId === 'free').length === 1, 'the first message to the other chat');
    await until(async () => (await pipeline.status()).find((q) => q.name === 'deliver-telegram')?.counts.delayed === 4, 'four messages waiting for slots');
    await sleep(200);
    const byChat = (id: string) => telegram.sent.filter((m) => m.to.chatId === id).length;
    expect([byChat('limited'), byChat('free')]).toEqual([1, 1]);
    const q = (await pipeline.status()).find((s) => s.name === 'deliver-telegram');
    expect(q?.counts.failed).toBe(0);
  });

  it('GIVEN a send that failed after the platform may have taken it THEN the retry is reported in doubt (not covered on Telegram) and sent again; a rate-limit refusal is not in doubt', async () => {
    const doubts: InDoubt[] = [];
    const { store, telegram, discord, pipeline } = setup({ onInDoubt: (d) => doubts.push(d) });
    // Telegram: the first send dies on the way back (outcome unknown); Discord: the first is refused with a retry-after.
    telegram.fail = (_m, call) => (call === 0 ? new Error('socket hang up') : undefined);
    discord.fail = (_m, call) => (call === 0 ? new TemporaryError('rate limited', { retryAfterMs: 30 }) : undefined);
    await store.putSubscription(makeSub({ userId: 'a', chat: dm('a') }), BIG);
    await store.putSubscription(makeSub({ userId: 'b', chat: { platform: 'discord', chatId: 'c1', chatType: 'private' } }), BIG);
    const alert = alertFor('BTC/USDT');
    await pipeline.sink.publish(alert);
    await until(() => telegram.sent.length === 1 && discord.sent.length === 1, 'both deliveries after their retries');
    const id = alertDeliveryId(alert.id, dm('a'));
    expect(doubts).toHaveLength(1);
    expect(doubts[0]).toMatchObject({ deliveryId: id, platform: 'telegram', guard: 'none', previousAttempt: 1, covered: false });
    await until(async () => (await store.getAttempt(id)) === null, 'the marker to go once the receipt is stored');
    expect(await store.getReceipt(id)).not.toBeNull();
  });

  it('GIVEN a send in doubt THEN a platform with its own key covers a repeat within its window of the first send only', () => {
    const prev = { at: 50_000, attempt: 2, firstAt: 1_000 };
    expect(inDoubt('d', 'discord', prev, 1_000 + DISCORD_NONCE_WINDOW_MS)).toMatchObject({ guard: 'platform-key', covered: true, sinceMs: DISCORD_NONCE_WINDOW_MS });
    expect(inDoubt('d', 'discord', prev, 1_001 + DISCORD_NONCE_WINDOW_MS).covered).toBe(false);
    expect(inDoubt('d', 'webhook', prev, 1e12)).toMatchObject({ guard: 'receiver-key', covered: true });
    expect(inDoubt('d', 'telegram', prev, 1_001)).toMatchObject({ guard: 'none', covered: false, previousAttempt: 2 });
  });
});
