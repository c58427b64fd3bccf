import { afterEach, describe, expect, it } from 'vitest';
import { PermissionFlagsBits } from 'discord.js';
import { encodeAction, type CommandServices } from '../../../commands/framework.js';
import { subscriptionRule } from '../../../src/engine/services/rule-source.js';
import { Callback, messageText, type FakeMessage, type InteractionAnswer } from '../../fakes/discord/index.js';
import { makeAlert } from '../../store/conformance.js';
import { attachedPng } from './helpers.js';
import { World } from './world.js';

let w: World | undefined;
afterEach(async () => {
  await w?.stop();
  w = undefined;
});

function message(a: InteractionAnswer): { text: string; ephemeral: boolean; m: FakeMessage } {
  if (a.kind === 'choices') throw new Error('expected a message, got autocomplete choices');
  return { text: messageText(a.message), ephemeral: a.kind === 'message' && a.ephemeral, m: a.message };
}

describe('the Discord bot, driven through the real discord.js client', () => {
  it('GIVEN /watch in a server channel THEN the watch is stored for that channel and the reply says what it watches', async () => {
    w = await World.start();
    const r = w.fake.slash({ user: w.alice, channel: w.general, name: 'watch', options: { pair: 'btc/usdt', threshold: 3, window: '5m', direction: 'up' } });
    const { text, ephemeral } = message(await w.fake.answer(r));
    expect(text).toContain('Watching **BTC/USDT**: 3% in 5 minutes, up only');
    expect(ephemeral).toBe(false);
    expect(r.callbacks.map((c) => c.type)).toEqual([Callback.Reply]);
    expect(r.refused).toEqual([]);
    const [sub] = await w.store.subscriptionsOfUser('discord', w.alice.id);
    expect(sub).toMatchObject({ kind: 'watch', symbol: 'BTC/USDT', chat: { platform: 'discord', chatId: w.general.id, chatType: 'group' } });
    expect(sub?.thresholds).toMatchObject({ movePct: 3, moveWindowMs: 300_000, direction: 'up' });
  });

  it('GIVEN an unknown pair THEN the reply is private and suggests the closest pairs, and autocomplete offers pairs as the user types', async () => {
    w = await World.start();
    const bad = w.fake.slash({ user: w.alice, channel: w.general, name: 'watch', options: { pair: 'BTCUSDX' } });
    const { text, ephemeral } = message(await w.fake.answer(bad));
    expect(ephemeral).toBe(true);
    expect(text).toMatch(/BTCUSDX/);
    expect(text).toContain('BTC/USDT');
    expect(await w.store.subscriptionsOfUser('discord', w.alice.id)).toEqual([]);

    const typing = w.fake.autocomplete({ user: w.alice, channel: w.general, name: 'watch', focused: 'pair', options: { pair: 'bt' } });
    const choices = await w.fake.answer(typing);
    expect(choices).toEqual({ kind: 'choices', choices: ['BTC/USDC', 'BTC/USDT', 'ETH/BTC'].map((s) => ({ name: s, value: s })) });

    // Several pairs in one option: the last word is completed, the others kept.
    const many = w.fake.autocomplete({ user: w.owner, channel: w.general, name: 'feed', focused: 'pairs', options: { pairs: 'BTC/USDT so' } });
    expect(await w.fake.answer(many)).toEqual({ kind: 'choices', choices: [{ name: 'BTC/USDT SOL/USDT', value: 'BTC/USDT SOL/USDT' }] });
  });

  it('GIVEN a member without Manage Channels THEN /feed is refused privately; the owner may set it, here or for another channel', async () => {
    w = await World.start();
    const refused = w.fake.slash({ user: w.alice, channel: w.general, name: 'feed', options: { pairs: 'BTC/USDT' } });
    const no = message(await w.fake.answer(refused));
    expect(no.ephemeral).toBe(true);
    expect(no.text).toMatch(/for the admins of this chat/);
    expect(await w.store.allSubscriptions()).toEqual([]);

    const news = w.fake.addChannel(w.guild, 'news');
    await w.fake.until(() => w!.bot !== undefined && w!.fake.gateway.sessions.size > 0, 'the session');
    await waitForChannel(w, news.id);
    const ok = w.fake.slash({ user: w.owner, channel: w.general, name: 'feed', options: { pairs: 'BTC/USDT eth/usdt', channel: news } });
    expect(message(await w.fake.answer(ok)).text).toContain('Feed started');
    const feeds = await w.store.subscriptionsInChat('discord', news.id);
    expect(feeds.map((s) => [s.kind, s.symbol, s.userId])).toEqual([
      ['feed', 'BTC/USDT', w.owner.id],
      ['feed', 'ETH/USDT', w.owner.id],
    ]);
  });

  it('GIVEN Manage Channels granted by a role overwrite in one channel only THEN that member may set feeds there and nowhere else', async () => {
    w = await World.start();
    const mods = w.fake.addRole(w.guild, 'mods', 0n);
    const mod = w.fake.addUser('mod');
    w.fake.addMember(w.guild, mod, [mods]);
    const desk = w.fake.addChannel(w.guild, 'desk', [{ id: mods.id, type: 0, allow: PermissionFlagsBits.ManageChannels, deny: 0n }]);
    await waitForChannel(w, desk.id);

    const inDesk = w.fake.slash({ user: mod, channel: desk, name: 'feed', options: { pairs: 'SOL/USDT' } });
    expect(message(await w.fake.answer(inDesk)).text).toContain('Feed started');
    const inGeneral = w.fake.slash({ user: mod, channel: w.general, name: 'feed', options: { pairs: 'SOL/USDT' } });
    expect(message(await w.fake.answer(inGeneral)).text).toMatch(/for the admins/);
    // From #desk (admin there) for #general (not): the target channel is checked too.
    const across = w.fake.slash({ user: mod, channel: desk, name: 'feed', options: { pairs: 'SOL/USDT', channel: w.general } });
    const a = message(await w.fake.answer(across));
    expect(a.ephemeral).toBe(true);
    expect(a.text).toContain('You need the Manage Channels permission in #general to set its feed');
    expect((await w.store.allSubscriptions()).map((s) => s.chat.chatId)).toEqual([desk.id]);
  });

  it('GIVEN a channel where the bot may not post THEN a feed there is refused with the missing permissions', async () => {
    w = await World.start();
    const quiet = w.fake.addChannel(w.guild, 'quiet', [{ id: w.fake.bot.id, type: 1, allow: 0n, deny: PermissionFlagsBits.SendMessages | PermissionFlagsBits.AttachFiles }]);
    await waitForChannel(w, quiet.id);
    const r = w.fake.slash({ user: w.owner, channel: w.general, name: 'feed', options: { pairs: 'BTC/USDT', channel: quiet } });
    const { text, ephemeral } = message(await w.fake.answer(r));
    expect(ephemeral).toBe(true);
    expect(text).toContain('I cannot post in #quiet: I am missing Send Messages, Attach Files there');
    expect(await w.store.allSubscriptions()).toEqual([]);
  });

  it('/chart defers at once, then edits in an embed with a PNG that decodes', async () => {
    w = await World.start();
    const r = w.fake.slash({ user: w.alice, channel: w.general, name: 'chart', options: { pair: 'BTC/USDT', range: '4h' } });
    const { m, ephemeral } = message(await w.fake.answer(r));
    expect(r.callbacks.map((c) => c.type)).toEqual([Callback.DeferReply]);
    expect(w.fake.requests.some((q) => q.method === 'PATCH' && q.rawPath.endsWith(`/webhooks/${w!.fake.applicationId}/${r.token}/messages/%40original`))).toBe(true);
    expect(ephemeral).toBe(false);
    expect(m.attachments[0]?.filename).toBe('BTC-USDT-4h.png');
    expect((m.embeds[0] as { image: { url: string } }).image.url).toBe(m.attachments[0]!.url);
    const png = await attachedPng(m);
    expect(png.image.width).toBeGreaterThan(100);
  });

  it('GIVEN a command slower than the defer threshold THEN it is deferred and edited; a private answer replaces the public "thinking"', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    w = await World.start({ deferAfterMs: 50 });
    const real = w.subscriptions;
    w.services.subscriptions = {
      ...pick(real),
      list: async (actor) => (await gate, real.list(actor)),
      unwatch: async (actor, symbol, venue) => (await gate, real.unwatch(actor, symbol, venue)),
    };
    const slow = w.fake.slash({ user: w.alice, channel: w.general, name: 'list' });
    const refused = w.fake.slash({ user: w.alice, channel: w.general, name: 'unwatch', options: { pair: 'BTC/USDT' } });
    await w.fake.until(() => slow.callbacks.length === 1 && refused.callbacks.length === 1, 'both deferrals');
    expect(slow.callbacks[0]?.type).toBe(Callback.DeferReply);
    expect(refused.callbacks[0]?.type).toBe(Callback.DeferReply);
    release();

    const listed = message(await w.fake.answer(slow));
    expect(listed.ephemeral).toBe(false);
    expect(listed.text).toMatch(/watch/i);
    // A refusal after a public deferral: the placeholder goes, a private follow-up says why.
    await w.fake.until(() => refused.followups.length === 1, 'the private follow-up');
    const a = message(await w.fake.answer(refused));
    expect(a.ephemeral).toBe(true);
    expect(a.text).toBe('You do not watch BTC/USDT here');
    expect(refused.original).toBeUndefined();
    expect(w.errors).toEqual([]);
  });

  it('the buttons of an alert: 👍 records a vote, Chart 24h posts a chart, Unwatch stops the watch, each answering the presser', async () => {
    w = await World.start();
    const watch = w.fake.slash({ user: w.alice, channel: w.general, name: 'watch', options: { pair: 'BTC/USDT' } });
    await w.fake.answer(watch);
    const [sub] = await w.store.subscriptionsOfUser('discord', w.alice.id);
    const alert = makeAlert({ ts: Date.now() - 30_000, rules: [subscriptionRule(sub!).id] });
    await w.pipeline.sink.publish(alert);
    await w.fake.until(() => w!.alertsIn(w!.general).length === 1, 'the alert');
    const msg = w.alertsIn(w.general)[0]!;
    expect(msg.content).toBe(`🔔 <@${w.alice.id}>`);

    const up = w.fake.press({ user: w.owner, message: msg, customId: encodeAction({ type: 'vote_up', alertId: alert.id })! });
    const vote = message(await w.fake.answer(up));
    expect(vote.ephemeral).toBe(true);
    expect(vote.text).toMatch(/👍 1 · 👎 0/);
    expect(await w.store.getFeedback(alert.id)).toEqual({ up: 1, down: 0 });

    const chart = w.fake.press({ user: w.alice, message: msg, customId: encodeAction({ type: 'chart', alertId: alert.id })! });
    const c = message(await w.fake.answer(chart));
    expect(chart.callbacks[0]?.type).toBe(Callback.DeferReply);
    expect(c.ephemeral).toBe(false);
    expect(c.text).toContain('BTC/USDT');
    expect((await attachedPng(c.m)).image.height).toBeGreaterThan(100);

    const unwatch = w.fake.press({ user: w.alice, message: msg, customId: encodeAction({ type: 'unwatch', alertId: alert.id })! });
    const gone = message(await w.fake.answer(unwatch));
    expect(gone.ephemeral).toBe(true);
    expect(gone.text).toMatch(/no longer watch BTC\/USDT/);
    expect(await w.store.subscriptionsOfUser('discord', w.alice.id)).toEqual([]);
    expect(w.errors).toEqual([]);
  });

  it('GIVEN /watch in a DM THEN the alert goes to that DM without mentions, and /feed there needs no admin', async () => {
    w = await World.start();
    const dm = w.fake.dmChannel(w.alice);
    const r = w.fake.slash({ user: w.alice, channel: dm, name: 'watch', options: { pair: 'ETH/USDT' } });
    expect(message(await w.fake.answer(r)).text).toContain('Watching **ETH/USDT**');
    const [sub] = await w.store.subscriptionsOfUser('discord', w.alice.id);
    expect(sub?.chat).toEqual({ platform: 'discord', chatId: dm.id, chatType: 'private' });
    await w.pipeline.sink.publish(makeAlert({ symbol: 'ETH/USDT', ts: Date.now() - 30_000, rules: [subscriptionRule(sub!).id] }));
    await w.fake.until(() => w!.alertsIn(dm).length === 1, 'the alert in the DM');
    expect(w.alertsIn(dm)[0]!.content).toBe('');
    const feed = w.fake.slash({ user: w.alice, channel: dm, name: 'feed', options: { pairs: 'SOL/USDT' } });
    expect(message(await w.fake.answer(feed)).text).toContain('Feed started');
  });

  it('GIVEN Discord answers 429 to the reply edit THEN discord.js waits it out and the chart still arrives', async () => {
    w = await World.start();
    w.fake.rateLimitNext({ method: 'PATCH', path: /^\/webhooks\// }, 300, { bucket: 'webhook' });
    const r = w.fake.slash({ user: w.alice, channel: w.general, name: 'chart', options: { pair: 'SOL/USDT' } });
    const { m } = message(await w.fake.answer(r));
    expect(m.attachments).toHaveLength(1);
    expect(w.fake.requests.filter((q) => q.method === 'PATCH').map((q) => q.status)).toEqual([429, 200]);
    expect(w.errors).toEqual([]);
  });

  it('GIVEN the token is reset while running THEN the bot reports that its gateway stays offline instead of failing silently', async () => {
    w = await World.start();
    w.fake.revokeToken();
    w.fake.gateway.closeAll(4000);
    await w.fake.until(() => w!.errors.some((e) => e.includes('Discord closed the gateway with 4004')), 'the report');
  });

  it('GIVEN a user asking for charts in a loop THEN the per-user limit refuses the excess with when to retry, and others are unaffected', async () => {
    w = await World.start();
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = w.fake.slash({ user: w.alice, channel: w.general, name: 'chart', options: { pair: 'ETH/USDT' } });
      answers.push(message(await w.fake.answer(r)).text);
    }
    expect(answers.slice(0, 3).every((t) => t.includes('ETH/USDT'))).toBe(true);
    expect(answers[3]).toMatch(/^Slow down: try again in \d+ s/);
    const other = w.fake.slash({ user: w.owner, channel: w.general, name: 'chart', options: { pair: 'ETH/USDT' } });
    expect(message(await w.fake.answer(other)).m.attachments).toHaveLength(1);
  });
});

/** The service's methods as plain functions, so a test can replace some of them. */
function pick(s: World['subscriptions']): CommandServices['subscriptions'] {
  const names = ['watch', 'unwatch', 'list', 'setThresholds', 'setSensitivity', 'mute', 'unmute', 'muteFeeds', 'setQuietHours', 'feed', 'unfeed', 'pausedFor', 'resume'] as const;
  return Object.fromEntries(names.map((n) => [n, (s[n] as (...a: unknown[]) => unknown).bind(s)])) as CommandServices['subscriptions'];
}

/** The client learns of a channel created after login through CHANNEL_CREATE. */
async function waitForChannel(w: World, id: string): Promise<void> {
  const client = (w.bot as unknown as { deps: { client: import('discord.js').Client } }).deps.client;
  await w.fake.until(() => client.channels.cache.has(id), `channel ${id} in the client cache`);
}
