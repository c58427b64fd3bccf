import { TelegramBot } from '../src/bot/telegram/index.js';
import { FakeTelegram, type RecordedCall } from '../test/fakes/telegram/index.js';
import { TickToMessageRig } from '../test/fakes/tick-rig.js';
import { benchPipeline, chatBench, timeAlerts } from './chat.js';
import { chatLatencyMeasures, TICK_SAMPLES, TICK_SAMPLES_QUICK, TICK_WARMUP, tickLatencyMeasures } from './stats.js';
import type { BenchRunner } from './types.js';

/**
 * On loopback, with the real grammY client against the fake Bot API:
 * - tick to message: a fake Binance's trades through the real feed and engine; a spike's alert
 *   rendered, queued and sent by grammY until the fake has the sendPhoto (test/fakes/tick-rig.ts);
 * - alert to message (the delivery part of it): an AlertEvent published to the delivery pipeline until the fake has the
 *   sendPhoto, chart rendered and uploaded (every alert a new chart, no cache);
 * - command round trip: a user's /price injected into getUpdates until the reply is recorded
 *   (long polling included).
 */
export const run: BenchRunner = async ({ quick }) => {
  const fake = new FakeTelegram();
  await fake.start();
  const b = chatBench();
  const { sample, world } = b;
  const telegram = new TelegramBot({ token: fake.token, apiRoot: fake.apiRoot, services: world.services, clock: world.clock, pollTimeoutSeconds: 1 });
  const delivery = benchPipeline(b, telegram.destination);
  await telegram.startPolling();
  const user = { id: 100, first_name: 'bench' };
  const chat = { id: 100, type: 'private' as const };
  try {
    const sent = (from: number) => fake.waitFor((c) => c.status === 200 && (c.method === 'sendPhoto' || c.method === 'sendMessage'), 'a message', from);
    fake.userSays(chat, user, '/watch BTC/USDT');
    await sent(0);
    world.quotes.set('BTC/USDT', { symbol: 'BTC/USDT', composite: sample.alert.price, venues: [{ venue: sample.alert.venue, price: sample.alert.price, ts: sample.alert.ts }] });
    const n = quick ? 20 : 100;
    const alertMs = await timeAlerts(b, delivery.pipeline, n, () => {
      const from = fake.calls.length;
      return () => sent(from);
    });
    const cmdMs: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const from = fake.calls.length;
      const t0 = performance.now();
      fake.userSays(chat, user, '/price BTC/USDT');
      await sent(from);
      if (i >= 3) cmdMs.push(performance.now() - t0);
    }
    const rig = await TickToMessageRig.start({ destination: telegram.destination, to: { platform: 'telegram', chatId: String(chat.id), chatType: 'private' } });
    const { ticks, missed } = await rig
      .run(quick ? TICK_SAMPLES_QUICK : TICK_SAMPLES, TICK_WARMUP, (stream) => () => {
        const from = fake.calls.length;
        const mine = (c: RecordedCall) => c.method === 'sendPhoto' && c.status === 200 && (c.visibleText ?? '').includes(`${stream.symbol} anomaly`) && (c.visibleText ?? '').includes(`Venue: ${stream.venue}`);
        return fake.waitFor(mine, `the ${stream.venue} ${stream.symbol} alert`, from).then(() => performance.now());
      })
      .finally(() => rig.close());
    return {
      name: 'telegram',
      measures: [...tickLatencyMeasures('telegram', 'Telegram', ticks, missed.length), ...chatLatencyMeasures('telegram', 'Telegram', alertMs, cmdMs, 'through long polling')],
      notes: [
        `tick to message: ${ticks.length} spikes on fake Binance, OKX and Coinbase (${rig.streams.length} streams in turn) through the real WsFeeds, Engine (default detectors, background training), DeliveryPipeline with an in-process chart render (every alert a new chart, uploaded) and grammY; the bar-closing trade is sent 15 ms after the bar end plus the 250 ms late-trade grace`,
        ...missed.map((m) => `tick to message, missed: ${m}`),
        `alert to message: ${n} alerts and ${n} commands, loopback, in-process queues, one chart render per alert (300 points)`,
      ],
    };
  } finally {
    await telegram.stop();
    await delivery.close();
    await fake.close();
  }
};
