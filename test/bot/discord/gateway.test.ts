import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelType, Client, Events, GatewayCloseCodes, GatewayOpcodes, Status, type Interaction } from 'discord.js';
import { FakeDiscord } from '../../fakes/discord/index.js';
import { loginClient, next } from './helpers.js';

/** Short heartbeats so that a test sees several without waiting Discord's 41 s. */
const HEARTBEAT_MS = 300;

describe('the real discord.js client against the fake gateway', () => {
  let fake: FakeDiscord;
  let client: Client | undefined;

  beforeEach(async () => {
    fake = await FakeDiscord.start({ heartbeatIntervalMs: HEARTBEAT_MS });
  });
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
    await fake.close();
  });

  it('logs in: /gateway/bot, HELLO, IDENTIFY with the token and no privileged intent, READY, then GUILD_CREATE fills the cache', async () => {
    const owner = fake.addUser('owner');
    const g = fake.addGuild('Traders', owner);
    const alerts = fake.addChannel(g, 'alerts');

    client = await loginClient(fake);

    expect(fake.requests.some((r) => r.method === 'GET' && r.path === '/gateway/bot' && r.authorization === `Bot ${fake.token}`)).toBe(true);
    const identify = fake.gateway.received.find((p) => p.op === GatewayOpcodes.Identify)?.d as { token: string; intents: number; shard: number[] };
    expect(identify.token).toBe(fake.token);
    expect(identify.intents).toBe(1); // Guilds only
    expect(identify.shard).toEqual([0, 1]);
    expect(fake.gateway.connections[0]?.url).toMatch(/^\/gateway\?v=10&encoding=json/);
    expect(client.user?.id).toBe(fake.bot.id);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(g.id);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(alerts.id)?.type).toBe(ChannelType.GuildText);
    expect(guild?.members.cache.has(owner.id)).toBe(true);
  });

  it('heartbeats: every heartbeat is acknowledged and the client measures its latency', async () => {
    client = await loginClient(fake);
    await fake.until(() => fake.gateway.counters.heartbeats >= 3, 'three heartbeats');
    expect(fake.gateway.counters.acks).toBe(fake.gateway.counters.heartbeats);
    await fake.until(() => client!.ws.ping >= 0, 'a measured ping');
    expect(fake.gateway.connections).toHaveLength(1);
  });

  it('GIVEN the socket closes with 4000 THEN the client resumes at resume_gateway_url and receives what was sent meanwhile', async () => {
    const owner = fake.addUser('owner');
    const g = fake.addGuild('Traders', owner);
    client = await loginClient(fake);
    const resumed = next(client, Events.ShardResume);

    fake.gateway.closeAll(4000, 'Unknown error');
    await fake.until(() => fake.gateway.open().length === 0, 'the socket to close');
    // Sent while the client is away: Discord replays it on RESUME.
    fake.addChannel(g, 'created-while-away');
    await resumed;

    expect(fake.gateway.counters.identifies).toBe(1);
    expect(fake.gateway.counters.resumes).toBe(1);
    expect(fake.gateway.connections.at(-1)?.url).toMatch(/^\/resume\?/);
    const resume = fake.gateway.received.find((p) => p.op === GatewayOpcodes.Resume)?.d as { session_id: string; seq: number };
    expect(fake.gateway.sessions.has(resume.session_id)).toBe(true);
    await fake.until(() => client!.guilds.cache.get(g.id)?.channels.cache.some((c) => c.name === 'created-while-away') === true, 'the replayed CHANNEL_CREATE');
  });

  it('GIVEN an interaction arrives while the socket is down THEN the resume replays it and the client handles it', async () => {
    const owner = fake.addUser('owner');
    const g = fake.addGuild('Traders', owner);
    const general = [...g.channels.values()][0]!;
    await registerPing(fake);
    client = await loginClient(fake);
    const seen = new Promise<Interaction>((resolve) => client!.on(Events.InteractionCreate, resolve));

    fake.gateway.closeAll(4000);
    await fake.until(() => fake.gateway.open().length === 0, 'the socket to close');
    const sent = fake.slash({ user: owner, channel: general, name: 'ping' });

    const got = await seen;
    expect(got.id).toBe(sent.id);
    expect(fake.gateway.counters.resumes).toBe(1);
  });

  it('GIVEN op 7 (reconnect) THEN the client resumes the same session', async () => {
    client = await loginClient(fake);
    const resumed = next(client, Events.ShardResume);
    fake.gateway.requestReconnect();
    await resumed;
    expect(fake.gateway.counters.identifies).toBe(1);
    expect(fake.gateway.counters.resumes).toBe(1);
  });

  it('GIVEN op 9 with false THEN the client identifies again with a new session', async () => {
    fake.addGuild('Traders', fake.addUser('owner'));
    client = await loginClient(fake);
    // The client identifies again once its identify throttle allows (one per 5 s, as Discord wants).
    const readyAgain = next(client, Events.ShardReady);
    fake.gateway.invalidateSessions(false);
    await readyAgain;
    expect(fake.gateway.counters.identifies).toBe(2);
    expect(fake.gateway.counters.resumes).toBe(0);
    expect(fake.gateway.sessions.size).toBe(2);
  });

  it('GIVEN the token was reset THEN a reconnect is closed with 4004 and the client gives up instead of looping', async () => {
    client = await loginClient(fake);
    const disconnected = next<[{ code: number }, number]>(client, Events.ShardDisconnect);
    fake.revokeToken();
    fake.gateway.closeAll(4000);
    const [event] = await disconnected;
    expect(event.code).toBe(GatewayCloseCodes.AuthenticationFailed);
    await fake.until(() => fake.gateway.connections.at(-1)?.closedWith === GatewayCloseCodes.AuthenticationFailed, 'the 4004 close');
    // shardDisconnect means "will not reconnect": the shard stays down.
    expect(client.ws.shards.get(0)?.status).toBe(Status.Disconnected);
  });

  it('GIVEN a wrong token THEN login fails at /gateway/bot with TokenInvalid', async () => {
    const c = new Client({ intents: [1], rest: { api: fake.apiBase } });
    await expect(c.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    await c.destroy();
    expect(fake.requests.find((r) => r.path === '/gateway/bot')?.status).toBe(401);
    expect(fake.gateway.connections).toHaveLength(0);
  });
});

async function registerPing(fake: FakeDiscord): Promise<void> {
  const res = await fetch(`${fake.apiBase}/v10/applications/${fake.applicationId}/commands`, {
    method: 'PUT',
    headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
    body: JSON.stringify([{ name: 'ping', description: 'Answers pong' }]),
  });
  if (!res.ok) throw new Error(`registering /ping failed: ${res.status}`);
}
