import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/engine/ports/destination.js';
import { makeAlert } from '../store/conformance.js';
import { discordChannel } from './discord-channel.js';

const rig = discordChannel('Crowd');

/** Watchers with ids as long as Discord's (19 digits). */
const watchers = (n: number) => Array.from({ length: n }, (_, i) => String(1_300_000_000_000_000_000n + BigInt(i)));
const msg = (deliveryId: string, mentions: string[]): OutboundMessage => ({
  deliveryId,
  to: { platform: 'discord', chatId: rig.channel.id, chatType: 'group' },
  kind: 'alert',
  alerts: [makeAlert()],
  text: '[ALERT] BTC/USDT anomaly detected!\nPrice Change: +6.4% in 2 minutes',
  mentions,
});
const lastPost = () => rig.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${rig.channel.id}/messages`)).at(-1)!;

describe('Discord alerts to a channel with many watchers', () => {
  it('GIVEN 150 watchers THEN Discord accepts the alert: as many pinged as fit in 2,000 characters, the rest counted', async () => {
    const ids = watchers(150);
    await rig.dest.send(msg('many-150', ids));
    const post = lastPost();
    expect(post.status).toBe(200);
    const body = post.json as { content: string; allowed_mentions: { users: string[] } };
    expect(body.content.length).toBeLessThanOrEqual(2000);
    const pinged = body.allowed_mentions.users;
    expect(pinged).toEqual(ids.slice(0, pinged.length));
    expect(pinged.length).toBeGreaterThan(80);
    expect(body.content).toBe(`🔔 ${pinged.map((id) => `<@${id}>`).join(' ')} +${150 - pinged.length} more watchers`);
  });

  it('GIVEN more short ids than Discord lets one message ping THEN the first 100 are pinged and the rest counted', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => String(1000 + i));
    await rig.dest.send(msg('many-130', ids));
    const body = lastPost().json as { content: string; allowed_mentions: { users: string[] } };
    expect(lastPost().status).toBe(200);
    expect(body.allowed_mentions.users).toEqual(ids.slice(0, 100));
    expect(body.content.endsWith(' +30 more watchers')).toBe(true);
  });

  it('GIVEN a few watchers THEN every one is pinged and nothing is counted', async () => {
    const ids = watchers(3);
    await rig.dest.send(msg('few', ids));
    const body = lastPost().json as { content: string; allowed_mentions: { users: string[] } };
    expect(body.content).toBe(`🔔 ${ids.map((id) => `<@${id}>`).join(' ')}`);
    expect(body.allowed_mentions.users).toEqual(ids);
  });
});
