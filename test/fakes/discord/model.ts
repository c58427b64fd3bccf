import { PermissionFlagsBits } from 'discord.js';

/**
 * The fake's world: users, guilds with roles, channels (with permission overwrites) and members,
 * DM channels, and the messages posted in them. Payload builders turn it into the JSON Discord
 * sends (users, members, roles, channels, messages), and `permissionsIn` computes a member's
 * permissions in a channel the way Discord documents it, so that `member.permissions` in an
 * interaction and the answers to channel sends agree with the roles and overwrites the test set.
 */

/** Discord's epoch (2015-01-01), the zero of snowflake timestamps. */
const DISCORD_EPOCH = 1_420_070_400_000n;

export class Snowflakes {
  private n = 0n;
  next(): string {
    this.n = (this.n + 1n) & 0xfffn;
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | this.n);
  }
}

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);

export const ChannelKind = { GuildText: 0, DM: 1 } as const;

export interface FakeUser {
  id: string;
  username: string;
  globalName?: string | undefined;
  bot?: boolean | undefined;
}

export interface FakeRole {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

/** `type` 0: a role, 1: a member. */
export interface FakeOverwrite {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface FakeChannel {
  id: string;
  name: string;
  type: number;
  guildId?: string | undefined;
  overwrites: FakeOverwrite[];
  /** DM channels: the other user. */
  recipientId?: string | undefined;
}

export interface FakeMember {
  userId: string;
  roles: string[];
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, FakeRole>;
  channels: Map<string, FakeChannel>;
  members: Map<string, FakeMember>;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
  url: string;
}

/** How a message came to be: a bot send to a channel, an interaction reply, a follow-up. */
export type MessageSource = 'channel' | 'interaction' | 'followup';

export interface FakeMessage {
  id: string;
  channelId: string;
  guildId?: string | undefined;
  authorId: string;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: FakeAttachment[];
  flags: number;
  source: MessageSource;
  interactionId?: string | undefined;
  /** Still "thinking": a deferred reply nobody has edited yet. */
  deferred: boolean;
  createdAt: number;
  editedAt?: number | undefined;
  /** The `nonce` it was created with (kept for `enforce_nonce`, echoed in the payload). */
  nonce?: string | number | undefined;
}

export const MESSAGE_FLAG_EPHEMERAL = 1 << 6;
export const MESSAGE_FLAG_LOADING = 1 << 7;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function userPayload(u: FakeUser): Record<string, unknown> {
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.globalName ?? null,
    avatar: null,
    bot: u.bot ?? false,
    public_flags: 0,
  };
}

export function rolePayload(r: FakeRole): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: r.position,
    permissions: String(r.permissions),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

export function channelPayload(c: FakeChannel, users: ReadonlyMap<string, FakeUser>): Record<string, unknown> {
  if (c.type === ChannelKind.DM) {
    const r = c.recipientId ? users.get(c.recipientId) : undefined;
    return { id: c.id, type: c.type, last_message_id: null, flags: 0, recipients: r ? [userPayload(r)] : [] };
  }
  return {
    id: c.id,
    type: c.type,
    guild_id: c.guildId,
    name: c.name,
    position: 0,
    flags: 0,
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    permission_overwrites: c.overwrites.map((o) => ({ id: o.id, type: o.type, allow: String(o.allow), deny: String(o.deny) })),
  };
}

export function memberPayload(m: FakeMember, users: ReadonlyMap<string, FakeUser>, joinedAt: number): Record<string, unknown> {
  const u = users.get(m.userId);
  if (!u) throw new Error(`fake discord: member ${m.userId} has no user`);
  return {
    user: userPayload(u),
    roles: [...m.roles],
    joined_at: iso(joinedAt),
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    banner: null,
    pending: false,
    premium_since: null,
    communication_disabled_until: null,
  };
}

export function guildPayload(g: FakeGuild, users: ReadonlyMap<string, FakeUser>, joinedAt: number): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    vanity_url_code: null,
    features: [],
    joined_at: iso(joinedAt),
    large: false,
    unavailable: false,
    member_count: g.members.size,
    roles: [...g.roles.values()].map(rolePayload),
    channels: [...g.channels.values()].map((c) => channelPayload(c, users)),
    members: [...g.members.values()].map((m) => memberPayload(m, users, joinedAt)),
    emojis: [],
    stickers: [],
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function messagePayload(m: FakeMessage, users: ReadonlyMap<string, FakeUser>, applicationId: string): Record<string, unknown> {
  const author = users.get(m.authorId);
  return {
    id: m.id,
    channel_id: m.channelId,
    ...(m.guildId ? { guild_id: m.guildId } : {}),
    author: author ? userPayload(author) : { id: m.authorId, username: 'unknown', discriminator: '0', global_name: null, avatar: null },
    content: m.content,
    timestamp: iso(m.createdAt),
    edited_timestamp: m.editedAt === undefined ? null : iso(m.editedAt),
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: m.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.bytes.length,
      url: a.url,
      proxy_url: a.url,
      content_type: a.contentType,
    })),
    embeds: m.embeds,
    components: m.components,
    pinned: false,
    // 0: a plain message; 20: the reply to a chat input command.
    type: m.source === 'channel' ? 0 : 20,
    flags: m.flags,
    ...(m.nonce !== undefined ? { nonce: m.nonce } : {}),
    ...(m.source === 'channel' ? {} : { webhook_id: applicationId, application_id: applicationId }),
  };
}

/**
 * A member's permissions in a channel, as Discord computes them: the guild owner and
 * administrators have everything; otherwise @everyone and the member's roles, then the channel's
 * overwrites for @everyone, for the member's roles (all denies, then all allows) and for the
 * member. Without View Channel nothing else applies in that channel.
 */
export function permissionsIn(guild: FakeGuild, channel: FakeChannel | undefined, userId: string): bigint {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  const member = guild.members.get(userId);
  if (!member) return 0n;
  let perms = guild.roles.get(guild.id)?.permissions ?? 0n;
  for (const r of member.roles) perms |= guild.roles.get(r)?.permissions ?? 0n;
  if (perms & PermissionFlagsBits.Administrator) return ALL_PERMISSIONS;
  if (!channel) return perms;
  const everyone = channel.overwrites.find((o) => o.id === guild.id);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of channel.overwrites) {
    if (o.type === 0 && member.roles.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = channel.overwrites.find((o) => o.type === 1 && o.id === userId);
  if (own) perms = (perms & ~own.deny) | own.allow;
  if (!(perms & PermissionFlagsBits.ViewChannel)) return 0n;
  return perms;
}
