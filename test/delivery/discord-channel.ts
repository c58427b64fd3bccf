import { afterAll, beforeAll } from 'vitest';
import { discordRest } from '../../src/bot/discord/client.js';
import { DiscordDestination } from '../../src/bot/discord/destination.js';
import { FakeDiscord, type FakeChannel } from '../fakes/discord/index.js';

export interface DiscordChannelRig {
  fake: FakeDiscord;
  channel: FakeChannel;
  /** The real destination, over discord.js REST, posting to the fake. */
  dest: DiscordDestination;
}

/**
 * A fake Discord with one guild channel and a DiscordDestination pointed at it, started before the
 * file's tests and closed after them. Its fields are set once the tests run.
 */
export function discordChannel(guild: string): DiscordChannelRig {
  const rig = {} as DiscordChannelRig;
  beforeAll(async () => {
    rig.fake = await FakeDiscord.start();
    rig.channel = rig.fake.addChannel(rig.fake.addGuild(guild, rig.fake.addUser('owner')), 'alerts');
    rig.dest = new DiscordDestination({ rest: discordRest(rig.fake.token, { apiBase: rig.fake.apiBase }) });
  });
  afterAll(() => rig.fake.close());
  return rig;
}
