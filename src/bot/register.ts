/**
 * `npm run register`: publishes the chat commands to each platform whose credentials are set.
 * A separate step, run after install or when commands change, never at every start (Discord
 * limits command updates, and a bot restart must not touch what users see).
 *
 *   npm run register                    every platform with a token (Discord globally; Telegram's menu)
 *   npm run register -- --guild ID      Discord: one server only (changes show at once; for testing)
 *   npm run register -- --config FILE   endpoints from a config file
 *
 * One function per platform; `main` only reads arguments and configuration.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Routes, type REST, type RESTPutAPIApplicationCommandsResult } from 'discord.js';
import { Api } from 'grammy';
import { COMMANDS } from '../../commands/index.js';
import type { AnyCommand } from '../../commands/framework.js';
import { loadConfigFile, type Env } from '../config/load.js';
import { discordRest } from './discord/client.js';
import type { OnPlatformRetry } from './shared/retries.js';
import { slashCommands } from './discord/slash.js';
import { TELEGRAM_DEFAULT_API_ROOT } from './telegram/bot.js';

export interface DiscordRegistration {
  applicationId: string;
  /** One server only; absent: every server the bot is in, and DMs. */
  guildId?: string | undefined;
}

/** Replaces the application's slash commands (bulk overwrite); returns the names Discord holds. */
export async function registerDiscordCommands(rest: REST, reg: DiscordRegistration, commands: readonly AnyCommand[] = COMMANDS): Promise<string[]> {
  const route = reg.guildId ? Routes.applicationGuildCommands(reg.applicationId, reg.guildId) : Routes.applicationCommands(reg.applicationId);
  const saved = (await rest.put(route, { body: slashCommands(commands) })) as RESTPutAPIApplicationCommandsResult;
  return saved.map((c) => c.name);
}

/** Publishes the command list Telegram shows in the menu (setMyCommands); returns the names. */
export async function registerTelegramCommands(api: Api, commands: readonly AnyCommand[] = COMMANDS): Promise<string[]> {
  await api.setMyCommands(commands.map((c) => ({ command: c.name, description: c.description })));
  return commands.map((c) => c.name);
}

/**
 * One line per retry of the client, so that a registration waiting out Discord's rate limit on
 * command updates (retry-after can be minutes) says so instead of hanging silently.
 */
export function retryNotice(out: (s: string) => void): OnPlatformRetry {
  return (r) => {
    const what = r.reason === 'rate_limited' ? 'rate limited' : r.reason === 'server_error' ? `server error${r.status ? ` ${r.status}` : ''}` : `network error${r.cause ? ` (${r.cause})` : ''}`;
    out(`${r.platform}: ${what}, trying again in ${Math.max(1, Math.ceil(r.waitMs / 1000))} s\n`);
  };
}

const USAGE = 'usage: npm run register -- [--guild ID] [--config FILE]\n';

/** Exit codes: 0 registered, 1 a platform refused, 2 nothing to do or bad arguments. */
export async function main(argv: readonly string[], env: Env, out: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  let values: { guild?: string | undefined; config?: string | undefined };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { guild: { type: 'string' }, config: { type: 'string' } }, strict: true }));
  } catch (err) {
    out(`register: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const cfg = await loadConfigFile(values.config, env);
  let done = 0;
  const token = cfg.secrets.discordToken;
  if (token) {
    const applicationId = cfg.discord.applicationId;
    if (!applicationId) {
      out('register: DISCORD_APPLICATION_ID is not set (the application id from the Discord developer portal)\n');
      return 2;
    }
    try {
      const names = await registerDiscordCommands(discordRest(token, { apiBase: cfg.discord.apiBase }, retryNotice(out)), { applicationId, guildId: values.guild });
      out(`discord: registered ${names.length} commands ${values.guild ? `in server ${values.guild}` : 'globally'}: ${names.join(', ')}\n`);
      done++;
    } catch (err) {
      out(`discord: registration failed: ${(err as Error).message}\n`);
      return 1;
    }
  }
  const tgToken = cfg.secrets.telegramToken;
  if (tgToken) {
    try {
      const names = await registerTelegramCommands(new Api(tgToken, { apiRoot: cfg.telegram.apiRoot ?? TELEGRAM_DEFAULT_API_ROOT }));
      out(`telegram: registered ${names.length} commands: ${names.join(', ')}\n`);
      done++;
    } catch (err) {
      out(`telegram: registration failed: ${(err as Error).message}\n`);
      return 1;
    }
  }
  if (done === 0) {
    out('register: no platform token is set (DISCORD_TOKEN, TELEGRAM_BOT_TOKEN), nothing to register\n');
    return 2;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
