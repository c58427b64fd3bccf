import { testWorld } from '../commands/testing.js';
import { TelegramBot } from '../src/bot/telegram/index.js';
import { DeliveryPipeline } from '../src/delivery/pipeline.js';
import type { AlertEvent, BarSource } from '../src/engine/index.js';
import { subscriptionRule } from '../src/engine/services/rule-source.js';
import { InProcessQueueBackend } from '../src/queue/memory.js';
import { MemoryRateLimiter } from '../src/queue/rate-limit.js';
import { ChartRenderer } from '../src/render/renderer.js';
import { sampleAlertRequest } from '../src/render/samples.js';
import { FakeTelegram } from '../test/fakes/telegram/index.js';
import type { BenchRunner } from './types.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * On loopback, with the real grammY client against the fake Bot API:
 * - alert to message: an AlertEvent published to the delivery pipeline until the fake has the
 *   sendPhoto, chart rendered and uploaded (every alert a new chart, no cache);
 * - command round trip: a user's /price injected into getUpdates until the reply is recorded
 *   (long polling included).
 */
export const run: BenchRunner = async ({ quick }) => {
  const fake = new FakeTelegram();
  await fake.start();
  const sample = sampleAlertRequest('spike');
  const world = testWorld({ now: sample.alert.ts });
  const bars: BarSource = { seriesAround: () => sample.series, seriesFor: () => sample.series };
  const telegram = new TelegramBot({ token: fake.token, apiRoot: fake.apiRoot, services: world.services, clock: world.clock, pollTimeoutSeconds: 1 });
  const queues = new InProcessQueueBackend();
  const pipeline = new DeliveryPipeline({
    store: world.store,
    queues,
    limiter: new MemoryRateLimiter(),
    clock: world.clock,
    destinations: [telegram.destination],
    chart: { renderer: new ChartRenderer(), bars },
    options: { rates: {} },
  });
  pipeline.start();
  await telegram.startPolling();
  const user = { id: 100, first_name: 'bench' };
  const chat = { id: 100, type: 'private' as const };
  try {
    const sent = (from: number) => fake.waitFor((c) => c.status === 200 && (c.method === 'sendPhoto' || c.method === 'sendMessage'), 'a message', from);
    fake.userSays(chat, user, '/watch BTC/USDT');
    await sent(0);
    world.quotes.set('BTC/USDT', { symbol: 'BTC/USDT', composite: sample.alert.price, venues: [{ venue: sample.alert.venue, price: sample.alert.price, ts: sample.alert.ts }] });
    const [sub] = await world.store.allSubscriptions();
    const alertMs: number[] = [];
    const n = quick ? 20 : 100;
    for (let i = 0; i < n + 3; i++) {
      // Each alert an hour after the last: a new chart, outside any burst window or cooldown.
      const ts = sample.alert.ts + i * 3_600_000;
      const alert: AlertEvent = { ...sample.alert, id: `${sample.alert.id}-${i}`, ts, rules: sub ? [subscriptionRule(sub).id] : sample.alert.rules };
      world.clock.t = ts;
      const from = fake.calls.length;
      const t0 = performance.now();
      await pipeline.sink.publish(alert);
      await sent(from);
      if (i >= 3) alertMs.push(performance.now() - t0);
    }
    const cmdMs: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const from = fake.calls.length;
      const t0 = performance.now();
      fake.userSays(chat, user, '/price BTC/USDT');
      await sent(from);
      if (i >= 3) cmdMs.push(performance.now() - t0);
    }
    alertMs.sort((a, b) => a - b);
    cmdMs.sort((a, b) => a - b);
    return {
      name: 'telegram',
      measures: [
        { key: 'telegram.alert_to_message.p50_ms', label: 'alert to Telegram message, chart included, p50', value: percentile(alertMs, 50), unit: 'ms' },
        { key: 'telegram.alert_to_message.p99_ms', label: 'alert to Telegram message, chart included, p99', value: percentile(alertMs, 99), unit: 'ms', goal: '<= 250 (tick to message)' },
        { key: 'telegram.command_round_trip.p50_ms', label: '/price round trip through long polling, p50', value: percentile(cmdMs, 50), unit: 'ms' },
        { key: 'telegram.command_round_trip.p99_ms', label: '/price round trip through long polling, p99', value: percentile(cmdMs, 99), unit: 'ms' },
      ],
      notes: [`${n} alerts and ${n} commands, loopback, in-process queues, one chart render per alert (300 points)`],
    };
  } finally {
    await telegram.stop();
    await pipeline.close();
    await queues.close();
    await fake.close();
  }
};
