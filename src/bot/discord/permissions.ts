import { PermissionFlagsBits, PermissionsBitField, type BaseInteraction, type GuildBasedChannel, type PermissionsString } from 'discord.js';
import { UserError } from '../../engine/core/errors.js';
import type { ChatAddress } from '../../engine/ports/store.js';
import { FEED_CHANNEL_TYPES, ADMIN_PERMISSION } from './slash.js';

/** What the bot needs in a channel to deliver an alert there: see it, post, embed, attach the chart. */
export const POST_PERMISSIONS = [
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.EmbedLinks,
  PermissionFlagsBits.AttachFiles,
] as const;

/** The chat an interaction came from: a server channel (shared) or the user's DM with the bot. */
export function chatOf(i: BaseInteraction): ChatAddress {
  return { platform: 'discord', chatId: i.channelId ?? i.user.id, chatType: i.inGuild() ? 'group' : 'private' };
}

/**
 * May the user manage the channel the interaction came from? Read from the permissions Discord
 * computed for this member in this channel (roles and overwrites included), never from what the
 * user's client chose to show. A DM with the bot is always the user's own.
 */
export function isChannelAdmin(i: BaseInteraction): boolean {
  if (!i.inGuild()) return true;
  return i.memberPermissions?.has(ADMIN_PERMISSION) ?? false;
}

/** `ViewChannel` → `View Channel`. */
function label(p: PermissionsString): string {
  return p.replace(/([a-z])([A-Z])/g, '$1 $2');
}

function channelIdOf(raw: string, i: BaseInteraction<'cached'>): string | undefined {
  const t = raw.trim();
  const mention = /^<#(\d+)>$/.exec(t);
  if (mention) return mention[1];
  if (/^\d{5,20}$/.test(t)) return t;
  if (t.startsWith('#')) return i.guild.channels.cache.find((c) => c.name === t.slice(1))?.id;
  return undefined;
}

/**
 * The channel a `feed` names, once both sides may use it: the member needs Manage Channels there
 * (computed from the guild's roles and that channel's overwrites), and the bot needs everything
 * POST_PERMISSIONS lists, so that a feed is never set up where it could not be delivered.
 */
export function resolveFeedChannel(i: BaseInteraction, raw: string): ChatAddress {
  if (!i.inCachedGuild()) throw new UserError('bad_input', 'name a channel only in a server; in a DM the feed goes to the DM itself');
  const id = channelIdOf(raw, i);
  const channel: GuildBasedChannel | undefined = id ? i.guild.channels.cache.get(id) : undefined;
  if (!channel) throw new UserError('not_found', `I cannot see a channel ${raw} in this server`, { channel: raw });
  if (!(FEED_CHANNEL_TYPES as readonly number[]).includes(channel.type)) {
    throw new UserError('bad_input', `#${channel.name} is not a text or announcement channel`, { channel: channel.id });
  }
  if (!channel.permissionsFor(i.member).has(ADMIN_PERMISSION)) {
    throw new UserError('forbidden', `you need the Manage Channels permission in #${channel.name} to set its feed`, { channel: channel.id });
  }
  const me = i.guild.members.me;
  const missing = me ? channel.permissionsFor(me).missing([...POST_PERMISSIONS]) : new PermissionsBitField([...POST_PERMISSIONS]).toArray();
  if (missing.length) {
    throw new UserError('forbidden', `I cannot post in #${channel.name}: I am missing ${missing.map(label).join(', ')} there; grant them and try again`, {
      channel: channel.id,
      missing,
    });
  }
  return { platform: 'discord', chatId: channel.id, chatType: 'group' };
}
