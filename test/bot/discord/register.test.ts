import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType } from 'discord.js';
import { COMMANDS } from '../../../commands/index.js';
import { discordRest } from '../../../src/bot/discord/client.js';
import { main, registerDiscordCommands } from '../../../src/bot/register.js';
import { FakeDiscord } from '../../fakes/discord/index.js';

describe('npm run register against the fake Discord', () => {
  let fake: FakeDiscord;
  beforeEach(async () => {
    fake = await FakeDiscord.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('registers every command globally with one bulk PUT that Discord accepts (names, limits, option order)', async () => {
    const rest = discordRest(fake.token, { apiBase: fake.apiBase });
    const names = await registerDiscordCommands(rest, { applicationId: fake.applicationId });
    expect(names).toEqual(COMMANDS.map((c) => c.name));
    const puts = fake.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.path, r.status])).toEqual([[`/applications/${fake.applicationId}/commands`, 200]]);
    expect(fake.commandsOf().map((c) => c.guildId)).toEqual(COMMANDS.map(() => undefined));

    const watch = fake.commandsOf().find((c) => c.body.name === 'watch')!.body as { options: { name: string; type: number; autocomplete?: boolean; choices?: unknown[] }[] };
    expect(watch.options[0]).toMatchObject({ name: 'pair', type: ApplicationCommandOptionType.String, required: true, autocomplete: true });
    expect(watch.options.find((o) => o.name === 'threshold')?.type).toBe(ApplicationCommandOptionType.Number);
    expect(watch.options.find((o) => o.name === 'direction')?.choices).toEqual(['up', 'down', 'both'].map((v) => ({ name: v, value: v })));
    // feed takes [channel] PAIR...: Discord wants required options first.
    const feed = fake.commandsOf().find((c) => c.body.name === 'feed')!.body as { options: { name: string; type: number; required: boolean }[]; default_member_permissions: string };
    expect(feed.options.map((o) => [o.name, o.type, o.required])).toEqual([
      ['pairs', ApplicationCommandOptionType.String, true],
      ['channel', ApplicationCommandOptionType.Channel, false],
    ]);
    expect(feed.default_member_permissions).toBe('16'); // Manage Channels
  });

  it('GIVEN --guild THEN the commands go to that server only, and registering again keeps their ids', async () => {
    const g = fake.addGuild('Test server', fake.addUser('owner'));
    const out: string[] = [];
    const env = { DISCORD_TOKEN: fake.token, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase };
    expect(await main(['--guild', g.id], env, (s) => out.push(s))).toBe(0);
    const ids = fake.commandsOf(g.id).map((c) => c.id);
    expect(await main(['--guild', g.id], env, (s) => out.push(s))).toBe(0);

    expect(fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual([
      `/applications/${fake.applicationId}/guilds/${g.id}/commands`,
      `/applications/${fake.applicationId}/guilds/${g.id}/commands`,
    ]);
    expect(fake.commandsOf(g.id).map((c) => c.id)).toEqual(ids);
    expect(fake.commands.every((c) => c.guildId === g.id)).toBe(true);
    expect(out[0]).toMatch(new RegExp(`^discord: registered ${COMMANDS.length} commands in server ${g.id}: watch, unwatch`));
  });

  it('GIVEN Discord rate-limits the command update THEN register says it waits, then registers', async () => {
    fake.rateLimitNext({ method: 'PUT', path: /^\/applications\/\d+\/commands$/ }, 1_200, { bucket: 'commands', limit: 2 });
    const out: string[] = [];
    const env = { DISCORD_TOKEN: fake.token, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase };
    expect(await main([], env, (s) => out.push(s))).toBe(0);
    expect(fake.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([429, 200]);
    expect(out[0]).toBe('discord: rate limited, trying again in 2 s\n');
    expect(out[1]).toMatch(/^discord: registered /);
    expect(out.join('')).not.toContain(fake.token);
  });

  it('GIVEN no application id, no token or a wrong token THEN register says what is missing and exits non-zero', async () => {
    const out: string[] = [];
    expect(await main([], { DISCORD_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase }, (s) => out.push(s))).toBe(2);
    expect(out.pop()).toMatch(/DISCORD_APPLICATION_ID is not set/);
    expect(await main([], {}, (s) => out.push(s))).toBe(2);
    expect(out.pop()).toMatch(/no platform token is set/);
    expect(await main([], { DISCORD_TOKEN: 'wrong', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase }, (s) => out.push(s))).toBe(1);
    expect(out.pop()).toMatch(/^discord: registration failed: 401: Unauthorized/);
    expect(await main(['--bogus'], {}, (s) => out.push(s))).toBe(2);
    expect(fake.commands).toHaveLength(0);
  });
});
