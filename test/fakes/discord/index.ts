// A local Discord (REST and gateway) for the real discord.js client; see fake-discord.ts.
export { FakeDiscord, EVERYONE_DEFAULT, INTERACTION_DEADLINE_MS, type FakeDiscordOptions, type RegisteredCommand, type SlashOptions, type AutocompleteOptions, type PressOptions } from './fake-discord.js';
export { FakeGateway, PRIVILEGED_INTENTS, shardOf, type GatewaySession, type GatewayConnection } from './gateway.js';
export { answerOf, buttonsOf, messageText, Callback, InteractionKind, OptionKind, type InteractionRecord, type InteractionAnswer } from './interactions.js';
export { permissionsIn, ALL_PERMISSIONS, type FakeUser, type FakeGuild, type FakeChannel, type FakeRole, type FakeMessage, type FakeAttachment, type FakeOverwrite } from './model.js';
export { rateLimited, type RecordedRequest, type UploadedFile, type BucketRule } from './http.js';
export { LIMITS as DISCORD_LIMITS } from './validate.js';
