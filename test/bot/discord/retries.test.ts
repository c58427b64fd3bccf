import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST, Routes } from 'discord.js';
import { discordRest, discordRetryWatch, routeOf } from '../../../src/bot/discord/client.js';
import { registerDiscordCommands } from '../../../src/bot/register.js';
import type { PlatformRetry } from '../../../src/bot/shared/retries.js';
import { buildConfig } from '../../../src/config/load.js';
import { TemporaryError } from '../../../src/engine/core/errors.js';
import { systemClock } from '../../../src/engine/ports/clock.js';
import { discordDestination, discordGatewayClient } from '../../../src/ops/compose.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { makeAlert } from '../../store/conformance.js';
import { retryReporter as reporter } from '../retry-reporter.js';
import { FakeDiscord, type FakeChannel } from '../../fakes/discord/index.js';

const MESSAGES = /^\/channels\/\d+\/messages$/;

describe('Discord retries are logged and counted (real discord.js REST against the fake Discord)', () => {
  let fake: FakeDiscord;
  let channel: FakeChannel;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
    const owner = fake.addUser('owner');
    channel = fake.addChannel(fake.addGuild('Traders', owner), 'alerts');
  });
  afterAll(() => fake.close());

  it('GIVEN a 429 on a route the client waits out THEN one warning with route, limit, wait and scope, no token in any line, and the counter says 1', async () => {
    const r = reporter();
    const rest = discordRest(fake.token, { apiBase: fake.apiBase }, r.onRetry);
    fake.rateLimitNext({ method: 'PUT', path: /^\/applications\/\d+\/commands$/ }, 200, { bucket: 'commands', limit: 2 });
    await registerDiscordCommands(rest, { applicationId: fake.applicationId });
    expect(fake.requests.filter((q) => q.method === 'PUT').map((q) => q.status)).toEqual([429, 200]);

    const w = r.warnings();
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ platform: 'discord', reason: 'rate_limited', method: 'PUT', route: '/applications/:id/commands', status: 429, waitMs: 200, retryAfterMs: 1000, attempt: 1, limit: 2, global: false, scope: 'user' });
    expect(w[0]?.msg).toBe('discord rate limited: the client retries');
    for (const line of r.lines) expect(line).not.toContain(fake.token);
    expect(await r.metrics.text()).toContain('tickwatch_platform_retries_total{platform="discord",reason="rate_limited"} 1');
  });

  it('GIVEN the global limit on the gateway client THEN the warning says global', async () => {
    const r = reporter();
    const client = discordGatewayClient(buildConfig({}, { DISCORD_API_BASE: fake.apiBase }), r.onRetry);
    client.rest.setToken(fake.token);
    try {
      fake.rateLimitNext({ method: 'GET', path: /^\/users\/@me$/ }, 300, { global: true });
      await client.rest.get(Routes.user('@me'));
    } finally {
      await client.destroy();
    }
    expect(r.warnings().map((l) => [l.reason, l.method, l.route, l.global, l.scope, l.waitMs])).toEqual([['rate_limited', 'GET', '/users/%40me', true, 'global', 1000]]);
  });

  it('GIVEN alert delivery THEN a 429 on a channel send goes back to the queue unreported, and a 5xx the client sends again is reported', async () => {
    const r = reporter();
    const cfg = buildConfig({}, { DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase });
    const dest = discordDestination(cfg, new MemoryStore(), systemClock, () => undefined, r.onRetry);
    if (!dest) throw new Error('no Discord destination with a token set');
    const msg = (id: string) => ({ deliveryId: id, to: { platform: 'discord', chatId: channel.id, chatType: 'group' as const }, kind: 'alert' as const, alerts: [makeAlert()], text: '[ALERT] BTC/USDT', mentions: [] });

    fake.rateLimitNext({ method: 'POST', path: MESSAGES }, 200, { bucket: 'messages' });
    expect(await dest.send(msg('d1')).catch((e: unknown) => e)).toBeInstanceOf(TemporaryError);
    expect(r.warnings()).toEqual([]);

    fake.failNext({ method: 'POST', path: MESSAGES }, 500, 0, '500: Internal Server Error');
    await dest.send(msg('d2'));
    expect(r.warnings().map((l) => [l.reason, l.method, l.route, l.status, l.attempt])).toEqual([['server_error', 'POST', '/channels/:id/messages', 500, 1]]);
    const text = await r.metrics.text();
    expect(text).toContain('tickwatch_platform_retries_total{platform="discord",reason="server_error"} 1');
    expect(text).not.toContain('reason="rate_limited"');
  });
});

describe('Discord network retries', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let api = '';
  beforeAll(async () => {
    // Accepts and never answers: every request times out.
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('GIVEN requests that time out THEN each retry the client makes is reported, the last failure is not, and a webhook token never shows', async () => {
    const reports: PlatformRetry[] = [];
    const watch = discordRetryWatch((x) => reports.push(x));
    const rest = new REST({ api, timeout: 100, retries: 2, ...watch.options });
    watch.attach(rest);
    const err = await rest.patch(Routes.webhookMessage('123456789012345678', 'SECRETWEBHOOKTOKEN', '@original'), { body: { content: 'x' }, auth: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(reports.map((x) => [x.reason, x.method, x.route, x.attempt])).toEqual([
      ['network', 'PATCH', '/webhooks/:id/:token/messages/%40original', 1],
      ['network', 'PATCH', '/webhooks/:id/:token/messages/%40original', 2],
    ]);
    expect(reports[0]?.cause).toMatch(/^[A-Za-z_]+$/);
    expect(JSON.stringify(reports)).not.toContain('SECRETWEBHOOKTOKEN');
  });

  it('routeOf names a request by its template, tokens and query dropped', () => {
    expect(routeOf('https://discord.com/api/v10/interactions/123456789012345678/aW50ZXJhY3Rpb24/callback?with_response=true')).toBe('/interactions/:id/:token/callback');
    expect(routeOf('https://discord.com/api/v10/channels/123456789012345678/messages')).toBe('/channels/:id/messages');
    expect(routeOf('https://discord.com/api/v10/webhooks/123456789012345678')).toBe('/webhooks/:id');
  });
});
