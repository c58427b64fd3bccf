// The Telegram adapter: the bot (commands, buttons, polling or webhook) and the alert Destination.
export { TelegramBot, addressOf, chatTypeOf, TELEGRAM_PLATFORM, TELEGRAM_DEFAULT_API_ROOT, TELEGRAM_POLL_TIMEOUT_S, TELEGRAM_RETRY_MAX_DELAY_S, ADMIN_CACHE_MS, type TelegramBotOptions } from './bot.js';
export { TelegramDestination, type TelegramDestinationOptions } from './destination.js';
export { translateTelegramError } from './errors.js';
export { escapeHtml, toTelegramHtml } from './html.js';
