import { GatewayIntentBits, Options, REST, type ClientOptions, type RESTOptions } from 'discord.js';

/** Discord's public REST base; discord.js appends the API version (`/v10`). */
export const DISCORD_API_DEFAULT = 'https://discord.com/api';

/**
 * The only gateway intent the bot needs: guilds (their channels, roles and the permission
 * overwrites that permission checks read). Slash commands and buttons arrive as interactions
 * whatever the intents; no privileged intent (members, presences, message content) is asked for.
 */
export const DISCORD_INTENTS = [GatewayIntentBits.Guilds] as const;

export interface DiscordEndpoint {
  /** REST base without the version, e.g. `https://discord.com/api` (DISCORD_API_BASE). */
  apiBase?: string | undefined;
}

function restOptions(e: DiscordEndpoint): Partial<RESTOptions> {
  return { api: e.apiBase ?? DISCORD_API_DEFAULT };
}

/**
 * Options for the gateway client of the `bot` role. The gateway address is not configured: the
 * client asks `GET /gateway/bot` at `apiBase` and connects where it says. Messages are not cached
 * (the bot never reads chat), and nothing pings unless a message names whom to mention.
 */
export function discordClientOptions(e: DiscordEndpoint): ClientOptions {
  return {
    intents: [...DISCORD_INTENTS],
    rest: restOptions(e),
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0, ReactionManager: 0, PresenceManager: 0 }),
    allowedMentions: { parse: [] },
  };
}

/**
 * A REST client for alert delivery and command registration (no gateway: a delivery worker or
 * `npm run register` needs none). A 429 on a channel send is not waited out here: it is thrown
 * so that the delivery queue defers that one job and the worker goes on with other channels.
 */
export function discordRest(token: string, e: DiscordEndpoint): REST {
  return new REST({
    ...restOptions(e),
    rejectOnRateLimit: (d) => d.method.toUpperCase() === 'POST' && /^\/channels\/[^/]+\/messages$/.test(d.route),
  }).setToken(token);
}
