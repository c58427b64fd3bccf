// The Discord adapter: gateway bot for commands and buttons, REST destination for alerts.
export { DISCORD_API_DEFAULT, DISCORD_INTENTS, discordClientOptions, discordRest, type DiscordEndpoint } from './client.js';
export { DiscordBot, DEFER_AFTER_MS, type DiscordBotDeps } from './bot.js';
export { DiscordDestination, classifyDiscordError, LOST_ACCESS, type DiscordDestinationOptions } from './destination.js';
export { PauseNotices, PAUSE_NOTICE_REPEAT_MS, type PauseNoticesDeps } from './notices.js';
export { slashCommand, slashCommands, ADMIN_PERMISSION } from './slash.js';
export { POST_PERMISSIONS } from './permissions.js';
