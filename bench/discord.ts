import { Client } from 'discord.js';
import { DiscordBot, DiscordDestination, discordClientOptions, discordRest } from '../src/bot/discord/index.js';
import { registerDiscordCommands } from '../src/bot/register.js';
import { FakeDiscord } from '../test/fakes/discord/index.js';
import { TickToMessageRig } from '../test/fakes/tick-rig.js';
import { benchPipeline, chatBench, timeAlerts } from './chat.js';
import { chatLatencyMeasures, TICK_SAMPLES, TICK_SAMPLES_QUICK, TICK_WARMUP, tickLatencyMeasures } from './stats.js';
import type { BenchRunner } from './types.js';

/**
 * On loopback, with the real discord.js client against the fake Discord:
 * - tick to message: fake exchanges' trades through the real feeds and engine; a spike's alert
 *   rendered, queued and sent through discord.js REST until the fake has stored the channel
 *   message with its attachment (test/fakes/tick-rig.ts);
 * - alert to message (the delivery part of it): an AlertEvent published to the delivery pipeline until the fake has stored
 *   the channel message, chart rendered and uploaded as multipart (every alert a new chart);
 * - command round trip: a user's /price dispatched over the gateway until the interaction
 *   callback is recorded.
 */
export const run: BenchRunner = async ({ quick }) => {
  const fake = await FakeDiscord.start();
  const owner = fake.addUser('bench');
  const guild = fake.addGuild('Bench', owner);
  const channel = [...guild.channels.values()][0]!;
  const b = chatBench();
  const { sample, world } = b;
  const rest = discordRest(fake.token, { apiBase: fake.apiBase });
  await registerDiscordCommands(rest, { applicationId: fake.applicationId });
  const bot = new DiscordBot({ client: new Client(discordClientOptions({ apiBase: fake.apiBase })), token: fake.token, services: world.services, clock: world.clock });
  const delivery = benchPipeline(b, new DiscordDestination({ rest }));
  await bot.start();
  try {
    await fake.answer(fake.slash({ user: owner, channel, name: 'watch', options: { pair: 'BTC/USDT' } }));
    world.quotes.set('BTC/USDT', { symbol: 'BTC/USDT', composite: sample.alert.price, venues: [{ venue: sample.alert.venue, price: sample.alert.price, ts: sample.alert.ts }] });
    const n = quick ? 20 : 100;
    const alertMs = await timeAlerts(b, delivery.pipeline, n, () => {
      const before = fake.messages.length;
      return () => fake.until(() => fake.messages.length > before, 'the alert message');
    });
    const cmdMs: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const t0 = performance.now();
      await fake.answer(fake.slash({ user: owner, channel, name: 'price', options: { pair: 'BTC/USDT' } }));
      if (i >= 3) cmdMs.push(performance.now() - t0);
    }
    const rig = await TickToMessageRig.start({ destination: new DiscordDestination({ rest }), to: { platform: 'discord', chatId: channel.id, chatType: 'group' } });
    const { ticks, missed } = await rig
      .run(quick ? TICK_SAMPLES_QUICK : TICK_SAMPLES, TICK_WARMUP, (stream) => async () => {
        const before = fake.messages.length;
        const mine = () => fake.messages.slice(before).some((m) => m.attachments.length > 0 && JSON.stringify(m.embeds).includes(stream.symbol) && JSON.stringify(m.embeds).includes(stream.venue));
        await fake.until(mine, `the ${stream.venue} ${stream.symbol} alert`);
        return performance.now();
      })
      .finally(() => rig.close());
    return {
      name: 'discord',
      measures: [...tickLatencyMeasures('discord', 'Discord', ticks, missed.length), ...chatLatencyMeasures('discord', 'Discord', alertMs, cmdMs, 'over the gateway')],
      notes: [
        `tick to message: ${ticks.length} spikes on fake Binance, OKX and Coinbase (${rig.streams.length} streams in turn) through the real WsFeeds, Engine (default detectors, background training), DeliveryPipeline with an in-process chart render (every alert a new chart, multipart upload) and discord.js REST; the bar-closing trade is sent 15 ms after the bar end plus the 250 ms late-trade grace`,
        ...missed.map((m) => `tick to message, missed: ${m}`),
        `alert to message: ${n} alerts and ${n} commands, loopback, in-process queues, one chart render and multipart upload per alert`,
      ],
    };
  } finally {
    await bot.stop();
    await delivery.close();
    await fake.close();
  }
};
