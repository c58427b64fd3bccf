import { describe, expect, it } from 'vitest';
import { DISCORD_NONCE_MAX, discordNonce } from '../../src/bot/discord/destination.js';
import type { OutboundMessage } from '../../src/engine/ports/destination.js';
import { NONCE_WINDOW_MS } from '../fakes/discord/fake-discord.js';
import { makeAlert } from '../store/conformance.js';
import { discordChannel } from './discord-channel.js';

const rig = discordChannel('Traders');

const alert = makeAlert();
const msg = (deliveryId: string): OutboundMessage => ({
  deliveryId,
  to: { platform: 'discord', chatId: rig.channel.id, chatType: 'group' },
  kind: 'alert',
  alerts: [alert],
  text: '[ALERT] BTC/USDT anomaly detected!',
  mentions: [],
});
const posts = () => rig.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${rig.channel.id}/messages`));

describe('Discord idempotent message creation (nonce + enforce_nonce)', () => {
  it('derives a stable nonce of at most 25 characters from the delivery id', () => {
    const id = `${alert.id}.${'x'.repeat(200)}`;
    expect(discordNonce(id)).toBe(discordNonce(id));
    expect(discordNonce(id)).toHaveLength(DISCORD_NONCE_MAX);
    expect(discordNonce(id)).not.toBe(discordNonce(`${id}y`));
  });

  it('GIVEN the same delivery sent twice THEN Discord gets both requests and creates one message, answering both with it', async () => {
    const before = rig.fake.messagesIn(rig.channel).length;
    const first = await rig.dest.send(msg('d-twice'));
    const again = await rig.dest.send(msg('d-twice'));
    expect(again.messageId).toBe(first.messageId);
    expect(rig.fake.messagesIn(rig.channel)).toHaveLength(before + 1);
    const sent = posts().slice(-2).map((r) => r.json as { nonce?: unknown; enforce_nonce?: unknown });
    expect(sent).toEqual([expect.objectContaining({ nonce: discordNonce('d-twice'), enforce_nonce: true }), expect.objectContaining({ nonce: discordNonce('d-twice'), enforce_nonce: true })]);
  });

  it('GIVEN two deliveries THEN two messages; GIVEN a repeat after the nonce window THEN a new message', async () => {
    const a = await rig.dest.send(msg('d-a'));
    const b = await rig.dest.send(msg('d-b'));
    expect(a.messageId).not.toBe(b.messageId);
    const m = rig.fake.messages.find((x) => x.id === a.messageId);
    if (!m) throw new Error('message d-a is not in the fake');
    m.createdAt -= NONCE_WINDOW_MS + 1;
    const late = await rig.dest.send(msg('d-a'));
    expect(late.messageId).not.toBe(a.messageId);
  });
});
