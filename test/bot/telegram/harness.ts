/**
 * The Telegram side of tickwatch assembled as the composition root does it, around the fake Bot
 * API: memory store, the real subscription and alert services, the real grammY bot (long polling
 * through @grammyjs/runner), the delivery pipeline with the Telegram Destination, and charts drawn
 * by the real renderer from an engine's bars.
 */
import { DeliveryPipeline } from '../../../src/delivery/pipeline.js';
import { RenderedCharts } from '../../../src/bot/shared/sources.js';
import { TelegramBot } from '../../../src/bot/telegram/index.js';
import { EngineBarSource, presetRule, type AlertEvent, type BarSource } from '../../../src/engine/index.js';
import { injectMove, randomWalk } from '../../../src/engine/testing/synthetic.js';
import { replay } from '../../../src/engine/testing/harness.js';
import { InProcessQueueBackend } from '../../../src/queue/memory.js';
import { MemoryRateLimiter } from '../../../src/queue/rate-limit.js';
import { ChartRenderer } from '../../../src/render/index.js';
import { testWorld, type TestWorld } from '../../../commands/testing.js';
import { FakeTelegram, type FakeChat, type FakeUser, type RecordedCall } from '../../fakes/telegram/index.js';
import { until } from '../../queue/wait.js';

export const ANN: FakeUser = { id: 100, first_name: 'Ann' };
export const BOB: FakeUser = { id: 101, first_name: 'Bob <admin>' };
export const ANN_DM: FakeChat = { id: 100, type: 'private' };
export const BOB_DM: FakeChat = { id: 101, type: 'private' };
export const GROUP: FakeChat = { id: -1001, type: 'supergroup', title: 'traders', is_forum: true };

/** One real-format spike through the engine: a calm market, then +6.4% in 2 minutes. */
export interface Spike {
  alert: AlertEvent;
  bars: BarSource;
}

export function engineSpike(): Spike {
  const start = Date.UTC(2025, 7, 11, 12);
  const at = start + 20 * 60_000;
  const ticks = injectMove(randomWalk({ seconds: 25 * 60, seed: 7, start, symbol: 'BTC/USDT', venue: 'binance' }), at, 6.4, 120_000);
  const run = replay(ticks, [presetRule('normal')]);
  const alert = run.alerts[0];
  if (!alert) throw new Error('the synthetic spike raised no alert');
  return { alert, bars: new EngineBarSource(run.engine) };
}

/** Another alert of the same stream `afterMs` later (a later spike), satisfying the same rule. */
export function laterAlert(a: AlertEvent, afterMs: number): AlertEvent {
  return { ...a, id: `${a.id.replace(/-[0-9a-f]{8}$/, '')}-${afterMs.toString(16).padStart(8, '0')}`, ts: a.ts + afterMs, barTs: a.barTs + afterMs };
}

export interface Harness {
  fake: FakeTelegram;
  world: TestWorld;
  telegram: TelegramBot;
  pipeline: DeliveryPipeline;
  errors: { err: unknown; context: string }[];
  /** The user writes; resolves with the bot's answer in that chat. */
  say(chat: FakeChat, from: FakeUser, text: string, opts?: { threadId?: number }): Promise<RecordedCall>;
  /** Publishes an alert as the engine would, at its own time, and waits until delivery settled. */
  publish(alert: AlertEvent): Promise<void>;
  /** Waits until the pipeline's queues are empty. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The client's own retries of one call (default: the product's); 0 hands every failure to delivery. */
  retryMaxAttempts?: number;
}

export async function startHarness(spike: Spike, opts: HarnessOptions = {}): Promise<Harness> {
  const fake = new FakeTelegram();
  await fake.start();
  const world = testWorld({ now: spike.alert.ts });
  const errors: Harness['errors'] = [];
  const log = (err: unknown, context: string) => void errors.push({ err, context });
  const telegram = new TelegramBot({
    token: fake.token,
    apiRoot: fake.apiRoot,
    services: world.services,
    clock: world.clock,
    pollTimeoutSeconds: 1,
    retryMaxAttempts: opts.retryMaxAttempts,
    log,
    onChatGone: (chat, reason) => world.subscriptions.pauseChat(chat.platform, chat.chatId, reason),
  });
  const renderer = new ChartRenderer();
  world.services.charts = new RenderedCharts(spike.bars, renderer, world.alerts, world.clock.now);
  const queues = new InProcessQueueBackend();
  const pipeline = new DeliveryPipeline({
    store: world.store,
    queues,
    limiter: new MemoryRateLimiter(),
    clock: world.clock,
    destinations: [telegram.destination],
    chart: { renderer, bars: spike.bars },
    onError: log,
    // One delivery at a time, so that the second recipient of an alert finds the first one's file_id.
    options: { rates: {}, deliver: { attempts: 4, backoffMs: 50, concurrency: 1 } },
  });
  pipeline.start();
  await telegram.startPolling();

  const settled = () =>
    until(async () => (await pipeline.status()).every((q) => q.counts.waiting + q.counts.active + q.counts.delayed === 0), 'the delivery queues to drain');

  return {
    fake,
    world,
    telegram,
    pipeline,
    errors,
    async say(chat, from, text, opts = {}) {
      const before = fake.calls.length;
      const { messageId } = fake.userSays(chat, from, text, opts);
      return fake.waitFor(
        (c) => (c.method === 'sendMessage' || c.method === 'sendPhoto') && c.status === 200 && Number(c.params['chat_id']) === chat.id && replyTo(c) === messageId,
        `an answer to "${text}"`,
        before,
      );
    },
    async publish(alert) {
      world.clock.t = alert.ts;
      await pipeline.sink.publish(alert);
      await settled();
    },
    settled,
    async close() {
      await telegram.stop();
      await pipeline.close();
      await queues.close();
      await fake.close();
    },
  };
}

function replyTo(c: RecordedCall): number | undefined {
  const p = c.params['reply_parameters'] as { message_id?: number } | undefined;
  return p?.message_id;
}

/** The inline keyboard of a sent message, as rows of [label, callback_data]. */
export function keyboardOf(c: RecordedCall): [string, string][][] {
  const m = c.params['reply_markup'] as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
  return (m?.inline_keyboard ?? []).map((r) => r.map((b) => [b.text, b.callback_data]));
}

/** The message object the fake answered for a send (what a button press refers to). */
export function messageOf(c: RecordedCall): Record<string, unknown> {
  return c.result as Record<string, unknown>;
}
