import { Client, Events } from 'discord.js';
import { discordClientOptions } from '../../../src/bot/discord/client.js';
import type { FakeDiscord } from '../../fakes/discord/index.js';

/** A real discord.js client pointed at the fake, logged in and ready (guilds received). */
export async function loginClient(fake: FakeDiscord, token = fake.token): Promise<Client> {
  const client = new Client(discordClientOptions({ apiBase: fake.apiBase }));
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(token);
  await ready;
  return client;
}

/** Resolves with the first emission of an event (its arguments). */
export function next<T extends unknown[]>(client: Client, event: string): Promise<T> {
  return new Promise((resolve) => client.once(event, (...args: unknown[]) => resolve(args as T)));
}
