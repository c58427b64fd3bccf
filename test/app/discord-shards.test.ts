import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordRest } from '../../src/bot/discord/client.js';
import { registerDiscordCommands } from '../../src/bot/register.js';
import { buildConfig } from '../../src/config/load.js';
import { buildApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/ops/log.js';
import { FakeDiscord, messageText, shardOf, type FakeGuild, type FakeUser } from '../fakes/discord/index.js';

/** Shards the fake's /gateway/bot recommends. */
const SHARDS = 2;

describe('Discord sharding from config (discord.shards: auto) against a fake that requires two shards', () => {
  let discord: FakeDiscord;
  let app: App;
  let user: FakeUser;
  const guilds: FakeGuild[] = [];

  beforeAll(async () => {
    discord = await FakeDiscord.start({ shards: SHARDS, heartbeatIntervalMs: 10_000 });
    user = discord.addUser('ada');
    // One guild on each shard (Discord's formula: (guild_id >> 22) % shards).
    const covered = new Set<number>();
    for (let i = 0; covered.size < SHARDS && i < 64; i++) {
      const g = discord.addGuild(`Desk ${i}`, user);
      const s = shardOf(g.id, SHARDS);
      if (!covered.has(s)) {
        covered.add(s);
        guilds.push(g);
      } else {
        // A guild's shard comes from the millisecond in its id: guilds made within one millisecond
        // share a shard, so the next one is made a millisecond later.
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await registerDiscordCommands(discordRest(discord.token, { apiBase: discord.apiBase }), { applicationId: discord.applicationId });
    const cfg = buildConfig(
      { exchanges: {}, alerts: { dir: join(mkdtempSync(join(tmpdir(), 'tw-shards-')), 'alerts') }, http: { port: 0 }, discord: { shards: 'auto' } },
      { DISCORD_TOKEN: discord.token, DISCORD_API_BASE: discord.apiBase, DISCORD_APPLICATION_ID: discord.applicationId },
    );
    app = await buildApp(cfg, { log: createLogger({ level: 'silent', secrets: [discord.token] }) });
  }, 60_000);

  afterAll(async () => {
    await app?.stop('test over');
    await discord?.close();
  });

  it('GIVEN shards: auto THEN the bot opens one gateway session per shard and answers commands in guilds of both shards', async () => {
    expect(guilds).toHaveLength(SHARDS);
    await discord.until(() => new Set([...discord.gateway.sessions.values()].filter((s) => s.valid).map((s) => s.shard[0])).size === SHARDS, 'a session per shard');
    for (const g of guilds) {
      const channel = [...g.channels.values()][0]!;
      const answer = await discord.answer(discord.slash({ user, channel, name: 'help' }));
      expect(answer.kind === 'choices' ? '' : messageText(answer.message)).toMatch(/watch/);
    }
  });
});
