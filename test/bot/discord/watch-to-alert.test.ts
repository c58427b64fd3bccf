import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAction } from '../../../commands/framework.js';
import type { AlertEvent, Tick } from '../../../src/engine/core/types.js';
import { injectMove, randomWalk } from '../../../src/engine/testing/synthetic.js';
import { buttonsOf, messageText, type FakeChannel, type FakeMessage, type InteractionAnswer } from '../../fakes/discord/index.js';
import { attachedPng } from './helpers.js';
import { World } from './world.js';

const MINUTE = 60_000;

function textOf(a: InteractionAnswer): string {
  return a.kind === 'choices' ? '' : messageText(a.message);
}
const HOUR = 60 * MINUTE;

/**
 * The whole way, once: a user watches a pair from Discord; a real engine (rules from the store)
 * sees a pump in synthetic trades; the delivery pipeline renders the chart and posts the alert;
 * the user snoozes it from its button; a second, larger pump 15 minutes later alerts again, and
 * reaches a second watcher in another channel but not the one who snoozed.
 */
describe('watch → alert → snooze, from Discord to the engine and back', () => {
  let w: World;
  let desk: FakeChannel;
  let ticks: Tick[];
  const published: AlertEvent[] = [];
  // Trades end now, so that alert times, chart axes and mutes agree with the wall clock.
  const start = Math.floor((Date.now() - 2.6 * HOUR) / MINUTE) * MINUTE;
  const first = start + 2 * HOUR;
  const second = first + 15 * MINUTE;
  let sent = 0;

  /** Feeds trades up to `until` through the engine, its clock following them. */
  function pump(until: number): void {
    const engine = w.engine!;
    for (; sent < ticks.length && ticks[sent]!.ts < until; sent++) {
      w.now.t = ticks[sent]!.ts;
      engine.ingest(ticks[sent]!);
    }
  }

  beforeAll(async () => {
    w = await World.start({ engine: true });
    w.engine!.onAlert((a) => void published.push(a));
    desk = w.fake.addChannel(w.guild, 'desk');
    ticks = randomWalk({ seconds: 2.6 * 3600, seed: 10, start, venue: 'binance', symbol: 'BTC/USDT' });
    ticks = injectMove(ticks, first, 5, 30_000);
    ticks = injectMove(ticks, second, 20, 30_000);
  });
  afterAll(async () => {
    await w.stop();
  });

  let alertMessage: FakeMessage;

  it('GIVEN alice watches BTC/USDT in #general (and the owner in #desk) THEN the engine is asked for that rule', async () => {
    const a = w.fake.slash({ user: w.alice, channel: w.general, name: 'watch', options: { pair: 'BTC/USDT' } });
    expect(textOf(await w.fake.answer(a))).toContain('Watching **BTC/USDT**');
    const b = w.fake.slash({ user: w.owner, channel: desk, name: 'watch', options: { pair: 'btcusdt' } });
    await w.fake.answer(b);
    await w.ruleSource.refresh();
    expect(w.ruleSource.rulesFor('binance', 'BTC/USDT')).toHaveLength(1);
  });

  it('WHEN a 5% pump trades THEN the alert reaches #general with its text, the detectors, the buttons and a chart PNG that decodes', async () => {
    pump(first + 10 * MINUTE);
    expect(published.length).toBeGreaterThanOrEqual(1);
    await w.fake.until(() => w.alertsIn(w.general).length >= 1 && w.alertsIn(desk).length >= 1, 'the alert in both channels');
    await w.drained();

    alertMessage = w.alertsIn(w.general)[0]!;
    const alert = published[0]!;
    expect(alertMessage.content).toBe(`🔔 <@${w.alice.id}>`);
    const embed = alertMessage.embeds[0] as { title: string; description: string };
    expect(embed.title).toBe('[ALERT] BTC/USDT anomaly detected!');
    expect(embed.description).toContain('Price Change: +');
    expect(embed.description).toContain('Detectors: ');
    expect(embed.description).toContain('Venue: binance');
    expect(buttonsOf(alertMessage).map((b) => decodeAction(b.customId)?.type)).toEqual(['snooze', 'unwatch', 'chart', 'vote_up', 'vote_down']);
    expect(decodeAction(buttonsOf(alertMessage)[0]!.customId)?.alertId).toBe(alert.id);
    const png = await attachedPng(alertMessage);
    expect(png.image.width).toBeGreaterThan(100);
    expect(png.image.height).toBeGreaterThan(100);
  });

  it('WHEN alice presses Snooze THEN she alone is told it is snoozed for an hour', async () => {
    const snooze = buttonsOf(alertMessage).find((b) => decodeAction(b.customId)?.type === 'snooze')!;
    const r = w.fake.press({ user: w.alice, message: alertMessage, customId: snooze.customId });
    const a = await w.fake.answer(r);
    expect(a).toMatchObject({ kind: 'message', ephemeral: true });
    expect(textOf(a)).toMatch(/^BTC\/USDT snoozed for 1 hour/);
    const [sub] = await w.store.subscriptionsOfUser('discord', w.alice.id);
    expect(sub?.mutedUntil).toBeGreaterThan(Date.now() + 59 * MINUTE);
  });

  it('WHEN a bigger pump trades 15 minutes later THEN the owner in #desk gets the alert and #general stays quiet', async () => {
    const generalBefore = w.alertsIn(w.general).length;
    const deskBefore = w.alertsIn(desk).length;
    const before = published.length;
    pump(Infinity);
    w.engine!.flush();
    expect(published.slice(before).some((a) => a.ts >= second)).toBe(true);
    await w.fake.until(() => w.alertsIn(desk).length > deskBefore, 'the second alert in #desk');
    await w.drained();
    expect(w.alertsIn(w.general)).toHaveLength(generalBefore);
    expect(w.errors).toEqual([]);
  });
});
