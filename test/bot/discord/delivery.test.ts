import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermissionFlagsBits } from 'discord.js';
import { decodeAction } from '../../../commands/framework.js';
import { discordRest } from '../../../src/bot/discord/client.js';
import { DiscordDestination } from '../../../src/bot/discord/destination.js';
import { PauseNotices } from '../../../src/bot/discord/notices.js';
import { DeliveryPipeline } from '../../../src/delivery/pipeline.js';
import { TemporaryError } from '../../../src/engine/core/errors.js';
import type { AlertEvent } from '../../../src/engine/core/types.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import type { ChatAddress, Subscription } from '../../../src/engine/ports/store.js';
import { subscriptionRule } from '../../../src/engine/services/rule-source.js';
import { InProcessQueueBackend } from '../../../src/queue/memory.js';
import { MemoryRateLimiter } from '../../../src/queue/rate-limit.js';
import { ChartRenderer } from '../../../src/render/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { buttonsOf, FakeDiscord, type FakeDiscordOptions, type FakeChannel, type FakeGuild, type FakeUser } from '../../fakes/discord/index.js';
import { makeAlert, makeSub } from '../../store/conformance.js';
import { attachedPng, waveBarSource } from './helpers.js';

const LIMITS = { perUser: 50, perChat: 50 };
const MESSAGES = /^\/channels\/\d+\/messages$/;
const renderer = new ChartRenderer();

interface Setup {
  fake: FakeDiscord;
  owner: FakeUser;
  guild: FakeGuild;
  alerts: FakeChannel;
  store: MemoryStore;
  pipeline: DeliveryPipeline;
  queues: InProcessQueueBackend;
  dead: string[];
}

async function setup(opts: FakeDiscordOptions = {}): Promise<Setup> {
  const fake = await FakeDiscord.start(opts);
  const owner = fake.addUser('owner');
  const guild = fake.addGuild('Traders', owner);
  const alerts = fake.addChannel(guild, 'alerts');
  const store = new MemoryStore();
  const rest = discordRest(fake.token, { apiBase: fake.apiBase });
  const notices = new PauseNotices({ rest, subscriptions: store, clock: systemClock });
  const queues = new InProcessQueueBackend();
  const dead: string[] = [];
  const pipeline = new DeliveryPipeline({
    store,
    queues,
    limiter: new MemoryRateLimiter(),
    clock: systemClock,
    destinations: [new DiscordDestination({ rest, onLostAccess: (to, reason) => notices.tell(to, reason) })],
    chart: { renderer, bars: waveBarSource() },
    onDeadLetter: (_q, job, err) => dead.push(`${job.id}: ${(err as Error).message}`),
    options: { burstWindowMs: 200, deliver: { attempts: 3, backoffMs: 50, concurrency: 4 }, rates: {} },
  });
  pipeline.start();
  return { fake, owner, guild, alerts, store, pipeline, queues, dead };
}

const chatOf = (c: FakeChannel): ChatAddress => ({ platform: 'discord', chatId: c.id, chatType: 'group' });

async function subscribe(s: Setup, over: Partial<Subscription>): Promise<Subscription> {
  const sub = makeSub({ kind: 'feed', userId: s.owner.id, chat: chatOf(s.alerts), ...over });
  const r = await s.store.putSubscription(sub, LIMITS);
  if (r.status === 'limit_reached') throw new Error('limit');
  return r.subscription;
}

function alertFor(sub: Subscription, n = 0, over: Partial<AlertEvent> = {}): AlertEvent {
  const ts = Date.now() - 60_000 + n * 1_000;
  return makeAlert({ id: `binance-BTCUSDT-${ts}-up-${String(n).padStart(8, '0')}`, ts, barTs: ts - 1_000, rules: [subscriptionRule(sub).id], ...over });
}

async function drained(s: Setup): Promise<void> {
  await s.fake.until(async () => (await s.pipeline.status()).every((q) => q.counts.waiting + q.counts.active + q.counts.delayed === 0), 'the queues to drain');
}

describe('alert delivery to Discord through the delivery pipeline', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(async () => {
    await s.pipeline.close();
    await s.queues.close();
    await s.fake.close();
  });

  it('GIVEN a feed THEN the alert arrives as an embed with the chart attached and shown, the five buttons, and a PNG that decodes', async () => {
    const sub = await subscribe(s, {});
    const alert = alertFor(sub);
    await s.pipeline.sink.publish(alert);
    await s.fake.until(() => s.fake.messagesIn(s.alerts).length === 1, 'the alert message');

    const [m] = s.fake.messagesIn(s.alerts);
    const req = s.fake.requests.find((r) => r.method === 'POST' && MESSAGES.test(r.path))!;
    expect(req.authorization).toBe(`Bot ${s.fake.token}`);
    expect(req.contentType).toMatch(/^multipart\/form-data/);
    expect(req.files).toHaveLength(1);
    expect(req.files[0]).toMatchObject({ field: 'files[0]', filename: `${alert.id}.png`, contentType: 'image/png' });

    expect(m!.content).toBe('');
    expect(m!.embeds).toHaveLength(1);
    const embed = m!.embeds[0] as { title: string; description: string; image: { url: string }; color: number };
    expect(embed.title).toBe('[ALERT] BTC/USDT anomaly detected!');
    expect(embed.description).toContain('Anomaly Score: 0.98');
    expect(embed.image.url).toBe(m!.attachments[0]!.url);

    const png = await attachedPng(m!);
    expect(png.contentType).toBe('image/png');
    expect(Buffer.from(png.bytes).equals(Buffer.from((await s.store.getChart(alert.id))!))).toBe(true);
    expect(png.image.width).toBeGreaterThan(100);
    expect(png.image.height).toBeGreaterThan(100);

    const buttons = buttonsOf(m!);
    expect(buttons.map((b) => b.label)).toEqual(['😴 Snooze 1h', '🔕 Unwatch', '📈 Chart 24h', '👍', '👎']);
    expect(buttons.map((b) => decodeAction(b.customId))).toEqual(
      ['snooze', 'unwatch', 'chart', 'vote_up', 'vote_down'].map((type) => ({ type, alertId: alert.id })),
    );
  });

  it('GIVEN watchers in a server channel THEN they are mentioned in the content and only they may be pinged', async () => {
    const member = s.fake.addUser('member');
    s.fake.addMember(s.guild, member);
    const sub = await subscribe(s, { kind: 'watch', userId: member.id });
    await s.pipeline.sink.publish(alertFor(sub));
    await s.fake.until(() => s.fake.messagesIn(s.alerts).length === 1, 'the alert message');
    expect(s.fake.messagesIn(s.alerts)[0]!.content).toBe(`🔔 <@${member.id}>`);
    const body = s.fake.requests.find((r) => MESSAGES.test(r.path))!.json as { allowed_mentions: unknown };
    expect(body.allowed_mentions).toEqual({ parse: [], users: [member.id] });
  });

  it('GIVEN Discord answers 429 on the channel THEN the delivery waits what Discord asked and the alert arrives exactly once', async () => {
    const sub = await subscribe(s, {});
    s.fake.rateLimitNext({ method: 'POST', path: MESSAGES }, 1_200, { bucket: 'abc' });
    const alert = alertFor(sub);
    await s.pipeline.sink.publish(alert);
    await s.fake.until(() => s.fake.messagesIn(s.alerts).length === 1, 'the alert after the rate limit');

    const sends = s.fake.requests.filter((r) => MESSAGES.test(r.path));
    expect(sends.map((r) => r.status)).toEqual([429, 200]);
    // Discord said "retry after 1.2 s" (header: 2 s, rounded up): the retry came no sooner.
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(1_200);
    expect(s.dead).toEqual([]);
    // The same alert again (a repeated render job): the receipt stops a second message.
    await s.pipeline.sink.publish(alert);
    await drained(s);
    expect(s.fake.messagesIn(s.alerts)).toHaveLength(1);
  });

  it('GIVEN the connection dies after Discord created the message THEN the send is tried again at once and the nonce keeps it to one message', async () => {
    const sub = await subscribe(s, {});
    s.fake.dropAfterNext({ method: 'POST', path: MESSAGES });
    await s.pipeline.sink.publish(alertFor(sub));
    await drained(s);
    const posts = s.fake.requests.filter((r) => r.method === 'POST' && MESSAGES.test(r.path));
    expect(posts).toHaveLength(2);
    expect(posts[1]!.json).toMatchObject({ nonce: (posts[0]!.json as { nonce: string }).nonce, enforce_nonce: true });
    expect(s.fake.messagesIn(s.alerts)).toHaveLength(1);
    expect(s.dead).toEqual([]);
  });

  it('GIVEN the channel\'s rate-limit bucket is used up THEN the next alert waits for the reset the headers announced and arrives', async () => {
    await s.pipeline.close();
    await s.queues.close();
    await s.fake.close();
    s = await setup({ buckets: { 'POST /channels/:channel/messages': { limit: 2, windowMs: 1_500 } } });
    const sub = await subscribe(s, {});
    for (let i = 0; i < 3; i++) {
      await s.pipeline.sink.publish(alertFor(sub, i));
      // Past the burst window: each alert is its own message.
      await drained(s);
      await new Promise((r) => setTimeout(r, 250));
    }
    await s.fake.until(() => s.fake.messagesIn(s.alerts).length === 3, 'the third alert');
    const sends = s.fake.requests.filter((r) => MESSAGES.test(r.path));
    // discord.js saw "remaining 0" and never sent the third request into a 429.
    expect(sends.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(sends[2]!.at - sends[0]!.at).toBeGreaterThanOrEqual(1_400);
    expect(s.dead).toEqual([]);
  });

  it('GIVEN a global 429 THEN the destination reports a temporary failure with Discord\'s wait', async () => {
    const sub = await subscribe(s, {});
    s.fake.rateLimitNext({ method: 'POST', path: MESSAGES }, 1_000, { global: true });
    const dest = new DiscordDestination({ rest: discordRest(s.fake.token, { apiBase: s.fake.apiBase }) });
    const alert = alertFor(sub);
    const msg = { deliveryId: 'd1', to: chatOf(s.alerts), kind: 'alert' as const, alerts: [alert], text: '[ALERT] BTC/USDT anomaly detected!', mentions: [] };
    const err = await dest.send(msg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporaryError);
    expect((err as TemporaryError).retryAfterMs).toBeGreaterThanOrEqual(1_000);
  });

  it('GIVEN the bot lost Send Messages in the channel THEN the feed is paused with the reason and its owner is told by DM, once', async () => {
    const sub = await subscribe(s, {});
    s.fake.setOverwrite(s.alerts, { id: s.fake.bot.id, type: 1, allow: 0n, deny: PermissionFlagsBits.SendMessages });
    await s.pipeline.sink.publish(alertFor(sub));

    await s.fake.until(() => s.fake.messagesIn(s.owner).length === 1, 'the DM to the owner');
    expect(s.fake.requests.find((r) => MESSAGES.test(r.path) && r.path.includes(s.alerts.id))?.status).toBe(403);
    const paused = await s.store.getSubscription(sub.id);
    expect(paused?.paused?.reason).toMatch(/^discord 50013: /);
    const dm = s.fake.messagesIn(s.owner)[0]!;
    expect(dm.content).toContain(`<#${s.alerts.id}>`);
    expect(dm.content).toContain('BTC/USDT (feed)');
    expect(dm.content).toContain('/resume');
    expect(s.dead).toHaveLength(1);

    // Paused: the next alert is not even tried, and nobody is told twice.
    const before = s.fake.requests.length;
    await s.pipeline.sink.publish(alertFor(sub, 1));
    await drained(s);
    expect(s.fake.requests.slice(before).filter((r) => MESSAGES.test(r.path))).toHaveLength(0);
    expect(s.fake.messagesIn(s.owner)).toHaveLength(1);
  });

  it('GIVEN the channel was deleted THEN the feed is paused as unknown channel', async () => {
    const sub = await subscribe(s, {});
    s.fake.deleteChannel(s.alerts);
    await s.pipeline.sink.publish(alertFor(sub));
    await s.fake.until(() => s.dead.length === 1, 'the dead letter');
    expect((await s.store.getSubscription(sub.id))?.paused?.reason).toMatch(/^discord 10003: the channel no longer exists/);
  });
});
