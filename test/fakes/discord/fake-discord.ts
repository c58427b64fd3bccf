import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { PermissionFlagsBits } from 'discord.js';
import { WebSocketServer } from 'ws';
import { FakeGateway, shardOf } from './gateway.js';
import {
  apiError,
  Buckets,
  json,
  noContent,
  parseBody,
  rateLimited,
  readBody,
  writeAnswer,
  type Answer,
  type BucketRule,
  type RateLimitShape,
  type RecordedRequest,
  type UploadedFile,
} from './http.js';
import { answerOf, Callback, InteractionKind, OptionKind, type InteractionAnswer, type InteractionRecord } from './interactions.js';
import {
  ChannelKind,
  channelPayload,
  guildPayload,
  memberPayload,
  MESSAGE_FLAG_EPHEMERAL,
  MESSAGE_FLAG_LOADING,
  messagePayload,
  permissionsIn,
  rolePayload,
  Snowflakes,
  userPayload,
  type FakeAttachment,
  type FakeChannel,
  type FakeGuild,
  type FakeMessage,
  type FakeOverwrite,
  type FakeRole,
  type FakeUser,
  type MessageSource,
} from './model.js';
import { checkChoices, checkCommands, checkMessage } from './validate.js';

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  botName?: string;
  /** HELLO's heartbeat interval (Discord sends about 41 s; tests use less). */
  heartbeatIntervalMs?: number;
  /** `shards` in `/gateway/bot`. */
  shards?: number;
  /** Privileged intents enabled for the application (GuildMembers, GuildPresences, MessageContent). */
  privilegedIntents?: number;
  /** Time a bot has to answer an interaction before its token stops working (Discord: 3 s). */
  interactionDeadlineMs?: number;
  /** Per-route rate limits, keyed `METHOD /route/:param` (e.g. `POST /channels/:channel/messages`). */
  buckets?: Record<string, BucketRule>;
  /** Rate limit of every other route. */
  defaultBucket?: BucketRule;
}

/**
 * How long a message nonce is remembered for `enforce_nonce`. Discord documents "the past few
 * minutes"; the fake takes the short reading, so that nothing passes here that relies on more.
 */
export const NONCE_WINDOW_MS = 2 * 60_000;
/** Discord's limit on a nonce string. */
const NONCE_MAX = 25;

/** Discord's answer time for interactions: after it the token is refused (Unknown interaction). */
export const INTERACTION_DEADLINE_MS = 3_000;
/** Follow-ups and edits work this long after the interaction. */
const INTERACTION_TOKEN_TTL_MS = 15 * 60_000;
const DEFAULT_HEARTBEAT_MS = 41_250;

/** Permissions of @everyone in a new guild: enough to read, write and use commands. */
export const EVERYONE_DEFAULT =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.UseApplicationCommands;

export interface RegisteredCommand {
  id: string;
  guildId?: string | undefined;
  body: Record<string, unknown>;
}

interface Injected {
  method?: string | undefined;
  path: RegExp;
  answer: () => Answer;
  times: number;
}

type Params = Record<string, string>;
type Incoming = Omit<RecordedRequest, 'status'>;
type Handler = (req: Incoming, p: Params) => Answer | Promise<Answer>;

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  /** Bot token required (callbacks and webhooks carry none). */
  auth: boolean;
  /** The route parameter that keys its rate limit (Discord's major parameter). */
  major?: string | undefined;
  handler: Handler;
}

export interface SlashOptions {
  user: FakeUser;
  channel: FakeChannel;
  name: string;
  /** Option values by name; a channel option takes a channel. */
  options?: Record<string, string | number | boolean | FakeChannel | undefined>;
}

export interface AutocompleteOptions extends SlashOptions {
  /** The option being typed in. */
  focused: string;
}

export interface PressOptions {
  user: FakeUser;
  message: FakeMessage;
  customId: string;
}

/**
 * A local Discord for the real discord.js client: REST under `/api/v10` and the gateway over
 * WebSocket on the same 127.0.0.1 port. Build the client with `new Client({ rest: { api:
 * fake.apiBase } })` and log in with `fake.token`; the gateway address comes from
 * `/gateway/bot`. The fake records every request and gateway payload, keeps every message with
 * its attachment bytes, computes permissions from roles and overwrites, and injects interactions
 * (slash commands, autocomplete, button presses), rate limits and errors on demand.
 */
export class FakeDiscord {
  /** The bot token the fake accepts; `revokeToken` changes it, as a reset in the developer portal does. */
  token: string;
  readonly applicationId: string;
  readonly bot: FakeUser;
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly dmChannels = new Map<string, FakeChannel>();
  readonly messages: FakeMessage[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  readonly commands: RegisteredCommand[] = [];
  readonly gateway: FakeGateway;
  /** Users who do not accept DMs from the bot (50007). */
  readonly closedDms = new Set<string>();
  readonly opts: Required<Omit<FakeDiscordOptions, 'buckets' | 'defaultBucket' | 'token' | 'applicationId' | 'botName'>>;
  private readonly ids = new Snowflakes();
  private readonly events = new EventEmitter();
  private readonly injected: Injected[] = [];
  private readonly dropAfter: { method?: string | undefined; path: RegExp; times: number }[] = [];
  private readonly routes: Route[] = [];
  private readonly buckets: Buckets;
  private readonly server = http.createServer((req, res) => void this.onHttp(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<Socket>();
  private readonly startedAt = Date.now();
  private port = 0;

  private constructor(o: FakeDiscordOptions) {
    this.token = o.token ?? `fake.${randomBytes(12).toString('base64url')}`;
    this.applicationId = o.applicationId ?? this.ids.next();
    this.bot = { id: this.applicationId, username: o.botName ?? 'tickwatch', bot: true };
    this.users.set(this.bot.id, this.bot);
    this.opts = {
      heartbeatIntervalMs: o.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
      shards: o.shards ?? 1,
      privilegedIntents: o.privilegedIntents ?? 0,
      interactionDeadlineMs: o.interactionDeadlineMs ?? INTERACTION_DEADLINE_MS,
    };
    this.buckets = new Buckets(o.buckets ?? {}, o.defaultBucket ?? { limit: 10_000, windowMs: 1_000 });
    this.events.setMaxListeners(0);
    this.gateway = new FakeGateway({
      token: () => this.token,
      heartbeatIntervalMs: () => this.opts.heartbeatIntervalMs,
      shards: () => this.opts.shards,
      allowedPrivilegedIntents: () => this.opts.privilegedIntents,
      resumeUrl: () => `${this.wsBase}/resume`,
      readyPayload: (s) => ({
        v: 10,
        user: { ...userPayload(this.bot), verified: true, mfa_enabled: false, flags: 0 },
        guilds: [...this.guilds.values()].filter((g) => shardOf(g.id, s.shard[1]) === s.shard[0]).map((g) => ({ id: g.id, unavailable: true })),
        session_id: s.id,
        session_type: 'normal',
        resume_gateway_url: `${this.wsBase}/resume`,
        shard: s.shard,
        application: { id: this.applicationId, flags: 0 },
        private_channels: [],
        relationships: [],
        presences: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
        user_settings: {},
        _trace: ['["fake-discord",{"micros":0}]'],
      }),
      guildsFor: (shard) => [...this.guilds.values()].filter((g) => shardOf(g.id, shard[1]) === shard[0]).map((g) => this.guildJson(g)),
      changed: () => this.changed(),
    });
    this.defineRoutes();
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/gateway' && path !== '/resume') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.gateway.accept(ws, req.url ?? '/'));
    });
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const f = new FakeDiscord(opts);
    await new Promise<void>((resolve) => f.server.listen(0, '127.0.0.1', resolve));
    f.port = (f.server.address() as AddressInfo).port;
    return f;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  /** discord.js's `rest.api` (no version: the client appends `/v10`). */
  get apiBase(): string {
    return `${this.origin}/api`;
  }
  get wsBase(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Stops accepting the current token (REST answers 401, the gateway closes 4004). */
  revokeToken(): void {
    this.token = `fake.${randomBytes(12).toString('base64url')}`;
  }

  // ---- the world -------------------------------------------------------------------------

  addUser(username: string): FakeUser {
    const u: FakeUser = { id: this.ids.next(), username, globalName: username };
    this.users.set(u.id, u);
    return u;
  }

  /**
   * A guild owned by `owner` with an @everyone role (EVERYONE_DEFAULT unless given), one text
   * channel `general`, and the bot as a member. Added after login, the bot receives GUILD_CREATE.
   */
  addGuild(name: string, owner: FakeUser, everyone: bigint = EVERYONE_DEFAULT): FakeGuild {
    const id = this.ids.next();
    const g: FakeGuild = { id, name, ownerId: owner.id, roles: new Map(), channels: new Map(), members: new Map() };
    g.roles.set(id, { id, name: '@everyone', permissions: everyone, position: 0 });
    g.members.set(owner.id, { userId: owner.id, roles: [] });
    g.members.set(this.bot.id, { userId: this.bot.id, roles: [] });
    this.guilds.set(id, g);
    this.addChannel(g, 'general');
    this.gateway.dispatch('GUILD_CREATE', this.guildJson(g), g.id);
    return g;
  }

  addRole(g: FakeGuild, name: string, permissions: bigint): FakeRole {
    const r: FakeRole = { id: this.ids.next(), name, permissions, position: g.roles.size };
    g.roles.set(r.id, r);
    this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: g.id, role: rolePayload(r) }, g.id);
    return r;
  }

  addChannel(g: FakeGuild, name: string, overwrites: FakeOverwrite[] = []): FakeChannel {
    const c: FakeChannel = { id: this.ids.next(), name, type: ChannelKind.GuildText, guildId: g.id, overwrites };
    g.channels.set(c.id, c);
    if (g.channels.size > 1) this.gateway.dispatch('CHANNEL_CREATE', channelPayload(c, this.users), g.id);
    return c;
  }

  addMember(g: FakeGuild, user: FakeUser, roles: FakeRole[] = []): void {
    g.members.set(user.id, { userId: user.id, roles: roles.map((r) => r.id) });
  }

  /** Replaces (or adds) one overwrite of a channel and tells the client (CHANNEL_UPDATE). */
  setOverwrite(channel: FakeChannel, o: FakeOverwrite): void {
    channel.overwrites = [...channel.overwrites.filter((x) => x.id !== o.id), o];
    this.gateway.dispatch('CHANNEL_UPDATE', channelPayload(channel, this.users), channel.guildId);
  }

  /** Deletes a channel and tells the client (CHANNEL_DELETE). */
  deleteChannel(channel: FakeChannel): void {
    const g = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    g?.channels.delete(channel.id);
    this.gateway.dispatch('CHANNEL_DELETE', channelPayload(channel, this.users), channel.guildId);
  }

  channel(id: string): FakeChannel | undefined {
    for (const g of this.guilds.values()) {
      const c = g.channels.get(id);
      if (c) return c;
    }
    return this.dmChannels.get(id);
  }

  guildOf(channel: FakeChannel): FakeGuild | undefined {
    return channel.guildId ? this.guilds.get(channel.guildId) : undefined;
  }

  permissions(channel: FakeChannel, user: FakeUser): bigint {
    const g = this.guildOf(channel);
    return g ? permissionsIn(g, channel, user.id) : 0n;
  }

  /** Messages of a channel (its DM channel for a user), oldest first, interaction replies included. */
  messagesIn(channel: FakeChannel | FakeUser): FakeMessage[] {
    const id = 'username' in channel ? this.dmChannelOf(channel.id)?.id : channel.id;
    return this.messages.filter((m) => m.channelId === id);
  }

  /** The user's DM channel with the bot (created on first use), where DM commands happen. */
  dmChannel(user: FakeUser): FakeChannel {
    let c = this.dmChannelOf(user.id);
    if (!c) {
      c = { id: this.ids.next(), name: '', type: ChannelKind.DM, overwrites: [], recipientId: user.id };
      this.dmChannels.set(c.id, c);
    }
    return c;
  }

  dmChannelOf(userId: string): FakeChannel | undefined {
    for (const c of this.dmChannels.values()) if (c.recipientId === userId) return c;
    return undefined;
  }

  commandsOf(guildId?: string): RegisteredCommand[] {
    return this.commands.filter((c) => c.guildId === undefined || c.guildId === guildId);
  }

  // ---- interactions ----------------------------------------------------------------------

  /** A user runs a slash command; the command must be registered (globally or in that guild). */
  slash(o: SlashOptions): InteractionRecord {
    const cmd = this.findCommand(o.name, o.channel.guildId);
    const { options, resolved } = this.commandOptions(cmd, o, undefined);
    const data: Record<string, unknown> = { id: cmd.id, name: o.name, type: 1, options };
    if (resolved) data.resolved = resolved;
    if (o.channel.guildId) data.guild_id = o.channel.guildId;
    return this.interact(InteractionKind.Command, o.user, o.channel, data);
  }

  /** A user types in an autocomplete option. */
  autocomplete(o: AutocompleteOptions): InteractionRecord {
    const cmd = this.findCommand(o.name, o.channel.guildId);
    const { options } = this.commandOptions(cmd, o, o.focused);
    return this.interact(InteractionKind.Autocomplete, o.user, o.channel, { id: cmd.id, name: o.name, type: 1, options });
  }

  /** A user presses a button of a message the bot sent. */
  press(o: PressOptions): InteractionRecord {
    const channel = this.channel(o.message.channelId);
    if (!channel) throw new Error(`fake discord: channel ${o.message.channelId} of the message is gone`);
    const ids = o.message.components.flatMap((r) => ((r.components ?? []) as { custom_id?: string }[]).map((c) => c.custom_id));
    if (!ids.includes(o.customId)) throw new Error(`fake discord: the message has no button "${o.customId}" (it has ${ids.join(', ')})`);
    return this.interact(InteractionKind.Component, o.user, channel, { custom_id: o.customId, component_type: 2 }, o.message);
  }

  /** Resolves once the user can see an answer (reply, edited deferral, update, choices). */
  async answer(r: InteractionRecord, timeoutMs = 15_000): Promise<InteractionAnswer> {
    let a: InteractionAnswer | undefined;
    await this.until(() => (a = answerOf(r)) !== undefined, `an answer to interaction ${r.id}`, timeoutMs);
    return a!;
  }

  /** Resolves when cond() holds, re-checked on every request and gateway payload (and every 50 ms). */
  async until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`fake discord: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.events.off('change', done);
          resolve();
        };
        const timer = setTimeout(done, 50);
        this.events.on('change', done);
      });
    }
  }

  // ---- faults ----------------------------------------------------------------------------

  /** The next `times` requests matching answer 429 (a route limit, or the global one). */
  rateLimitNext(match: { method?: string; path: RegExp }, retryAfterMs: number, shape: RateLimitShape = {}, times = 1): void {
    this.injected.push({ ...match, answer: () => rateLimited(retryAfterMs, shape), times });
  }

  /**
   * The next `times` requests matching are carried out (a message is created) and then the
   * connection is closed without an answer: what a client sees when a socket dies mid-request.
   */
  dropAfterNext(match: { method?: string; path: RegExp }, times = 1): void {
    this.dropAfter.push({ ...match, times });
  }

  /** The next `times` requests matching get a Discord error (e.g. 403 / 50013). */
  failNext(match: { method?: string; path: RegExp }, status: number, code: number, message: string, times = 1): void {
    this.injected.push({ ...match, answer: () => apiError(status, code, message), times });
  }

  // ---- internals -------------------------------------------------------------------------

  private changed(): void {
    this.events.emit('change');
  }

  private guildJson(g: FakeGuild): Record<string, unknown> {
    return guildPayload(g, this.users, this.startedAt);
  }

  private findCommand(name: string, guildId?: string): RegisteredCommand {
    const cmd = this.commandsOf(guildId).find((c) => c.body.name === name);
    if (!cmd) throw new Error(`fake discord: /${name} is not registered ${guildId ? 'in this guild or globally' : 'globally'}`);
    return cmd;
  }

  /** The options array as Discord sends it, checked against the registered definition. */
  private commandOptions(cmd: RegisteredCommand, o: SlashOptions, focused: string | undefined) {
    const defs = (cmd.body.options ?? []) as { name: string; type: number; required?: boolean; choices?: { value: unknown }[] }[];
    const out: Record<string, unknown>[] = [];
    let resolved: { channels: Record<string, unknown> } | undefined;
    for (const [name, value] of Object.entries(o.options ?? {})) {
      if (value === undefined) continue;
      const def = defs.find((d) => d.name === name);
      if (!def) throw new Error(`fake discord: /${o.name} has no option "${name}" (it has ${defs.map((d) => d.name).join(', ') || 'none'})`);
      if (name === focused) {
        out.push({ name, type: def.type, value: String(value), focused: true });
        continue;
      }
      if (def.type === OptionKind.Channel) {
        const ch = value as FakeChannel;
        if (typeof ch !== 'object') throw new Error(`fake discord: option "${name}" takes a channel`);
        const g = this.guildOf(ch);
        resolved ??= { channels: {} };
        resolved.channels[ch.id] = { id: ch.id, name: ch.name, type: ch.type, permissions: String(g ? permissionsIn(g, ch, o.user.id) : 0n), flags: 0 };
        out.push({ name, type: def.type, value: ch.id });
        continue;
      }
      const numeric = def.type === OptionKind.Number || def.type === OptionKind.Integer;
      if (numeric !== (typeof value === 'number')) throw new Error(`fake discord: option "${name}" takes a ${numeric ? 'number' : 'string'}`);
      if (def.choices && !def.choices.some((c) => c.value === value)) throw new Error(`fake discord: "${String(value)}" is not a choice of "${name}"`);
      out.push({ name, type: def.type, value });
    }
    if (focused === undefined) {
      for (const d of defs) if (d.required && !out.some((x) => x.name === d.name)) throw new Error(`fake discord: /${o.name} needs option "${d.name}"`);
    }
    return { options: out, resolved };
  }

  private interact(type: number, user: FakeUser, channel: FakeChannel, data: Record<string, unknown>, message?: FakeMessage): InteractionRecord {
    const id = this.ids.next();
    // Discord's tokens are base64 of `interaction:<id>:<secret>`.
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
    const g = this.guildOf(channel);
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      data,
      channel: channelPayload(channel, this.users),
      channel_id: channel.id,
      token,
      version: 1,
      locale: 'en-US',
      entitlements: [],
      attachment_size_limit: 10 * 1024 * 1024,
      app_permissions: String(g ? permissionsIn(g, channel, this.bot.id) : EVERYONE_DEFAULT),
    };
    if (g) {
      const m = g.members.get(user.id);
      if (!m) throw new Error(`fake discord: ${user.username} is not a member of ${g.name}`);
      payload.guild_id = g.id;
      payload.guild_locale = 'en-US';
      payload.guild = { id: g.id, locale: 'en-US', features: [] };
      payload.member = { ...memberPayload(m, this.users, this.startedAt), permissions: String(permissionsIn(g, channel, user.id)) };
      payload.authorizing_integration_owners = { '0': g.id };
      payload.context = 0;
    } else {
      payload.user = userPayload(user);
      payload.authorizing_integration_owners = { '1': user.id };
      payload.context = 1;
    }
    if (message) payload.message = messagePayload(message, this.users, this.applicationId);
    const rec: InteractionRecord = {
      id,
      token,
      type,
      payload,
      userId: user.id,
      channelId: channel.id,
      guildId: g?.id,
      createdAt: Date.now(),
      callbacks: [],
      followups: [],
      refused: [],
    };
    this.interactions.set(id, rec);
    this.gateway.dispatch('INTERACTION_CREATE', payload, g?.id);
    this.changed();
    return rec;
  }

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const u = new URL(rawUrl, this.origin);
    let rec: Incoming | undefined;
    let answer: Answer;
    try {
      const raw = await readBody(req);
      if (u.pathname.startsWith('/attachments/')) {
        this.serveAttachment(u.pathname, res);
        return;
      }
      const m = /^\/api\/v(\d+)(\/.*)$/.exec(u.pathname);
      const segments = (m?.[2] ?? '').split('/').map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
      const parsed = await parseBody(req.headers['content-type'], raw);
      rec = {
        method: req.method ?? 'GET',
        path: segments.join('/'),
        rawPath: u.pathname,
        query: u.searchParams,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        json: parsed.json,
        files: parsed.files,
        at: Date.now(),
      };
      answer = m && m[1] === '10' ? await this.route(rec) : apiError(404, 0, '404: Not Found');
    } catch (err) {
      answer = { status: 400, body: { message: `fake discord: ${(err as Error).message}`, code: 50109 } };
    }
    if (rec) this.requests.push({ ...rec, status: answer.status });
    const drop = rec && this.dropAfter.find((d) => (d.method === undefined || d.method === rec.method) && d.path.test(rec.path));
    if (drop) {
      if (--drop.times <= 0) this.dropAfter.splice(this.dropAfter.indexOf(drop), 1);
      req.socket.destroy();
      this.changed();
      return;
    }
    writeAnswer(res, answer);
    this.changed();
  }

  private async route(req: Incoming): Promise<Answer> {
    for (const r of this.routes) {
      if (r.method !== req.method) continue;
      const m = r.regex.exec(req.path);
      if (!m) continue;
      const p = (m.groups ?? {}) as Params;
      if (r.auth && req.authorization !== `Bot ${this.token}`) return apiError(401, 0, '401: Unauthorized');
      const inj = this.injected.find((i) => (i.method === undefined || i.method === req.method) && i.path.test(req.path));
      if (inj) {
        if (--inj.times <= 0) this.injected.splice(this.injected.indexOf(inj), 1);
        return inj.answer();
      }
      const template = `${r.method} ${r.template}`;
      const bucket = this.buckets.take(template, r.major ? (p[r.major] ?? '') : '');
      if (bucket.limited) return bucket.limited;
      const a = await r.handler(req, p);
      return { ...a, headers: { ...bucket.headers, ...(a.headers ?? {}) } };
    }
    return apiError(404, 0, '404: Not Found');
  }

  private on(method: string, template: string, handler: Handler, opts: { auth?: boolean; major?: string } = {}): void {
    const regex = new RegExp(`^${template.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);
    this.routes.push({ method, template, regex, auth: opts.auth ?? true, major: opts.major, handler });
  }

  private defineRoutes(): void {
    this.on('GET', '/gateway', () => json({ url: this.wsBase + '/gateway' }), { auth: false });
    this.on('GET', '/gateway/bot', () =>
      json({
        url: `${this.wsBase}/gateway`,
        shards: this.opts.shards,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      }),
    );
    this.on('GET', '/users/@me', () => json({ ...userPayload(this.bot), verified: true, mfa_enabled: false, flags: 0 }));
    this.on('GET', '/users/:user', (_q, p) => {
      const u = this.users.get(p.user!);
      return u ? json(userPayload(u)) : apiError(404, 10013, 'Unknown User');
    });
    this.on('POST', '/users/@me/channels', (q) => this.openDm(q));
    this.on('GET', '/applications/@me', () => json({ id: this.applicationId, name: this.bot.username, flags: 0, bot_public: true, description: '' }));
    this.on('GET', '/applications/:app/commands', (_q, p) => this.listCommands(p.app!, undefined));
    this.on('PUT', '/applications/:app/commands', (q, p) => this.putCommands(q, p.app!, undefined));
    this.on('GET', '/applications/:app/guilds/:guild/commands', (_q, p) => this.listCommands(p.app!, p.guild), { major: 'guild' });
    this.on('PUT', '/applications/:app/guilds/:guild/commands', (q, p) => this.putCommands(q, p.app!, p.guild), { major: 'guild' });
    this.on('POST', '/interactions/:id/:token/callback', (q, p) => this.callback(q, p.id!, p.token!), { auth: false, major: 'id' });
    this.on('POST', '/webhooks/:app/:token', (q, p) => this.followup(q, p.app!, p.token!), { auth: false, major: 'token' });
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      this.on(method, '/webhooks/:app/:token/messages/:message', (q, p) => this.webhookMessage(q, p.app!, p.token!, p.message!), {
        auth: false,
        major: 'token',
      });
    }
    this.on('GET', '/channels/:channel', (_q, p) => this.getChannel(p.channel!), { major: 'channel' });
    this.on('POST', '/channels/:channel/messages', (q, p) => this.createMessage(q, p.channel!), { major: 'channel' });
    this.on('GET', '/channels/:channel/messages/:message', (_q, p) => this.getMessage(p.channel!, p.message!), { major: 'channel' });
    this.on('PATCH', '/channels/:channel/messages/:message', (q, p) => this.editChannelMessage(q, p.channel!, p.message!), { major: 'channel' });
    this.on('GET', '/guilds/:guild', (_q, p) => this.withGuild(p.guild!, (g) => json({ ...this.guildJson(g), channels: undefined, members: undefined })), {
      major: 'guild',
    });
    this.on('GET', '/guilds/:guild/roles', (_q, p) => this.withGuild(p.guild!, (g) => json([...g.roles.values()].map(rolePayload))), { major: 'guild' });
    this.on('GET', '/guilds/:guild/channels', (_q, p) => this.withGuild(p.guild!, (g) => json([...g.channels.values()].map((c) => channelPayload(c, this.users)))), {
      major: 'guild',
    });
    this.on(
      'GET',
      '/guilds/:guild/members/:user',
      (_q, p) =>
        this.withGuild(p.guild!, (g) => {
          const m = g.members.get(p.user!);
          return m ? json(memberPayload(m, this.users, this.startedAt)) : apiError(404, 10007, 'Unknown Member');
        }),
      { major: 'guild' },
    );
  }

  private withGuild(id: string, f: (g: FakeGuild) => Answer): Answer {
    const g = this.guilds.get(id);
    if (!g || !g.members.has(this.bot.id)) return apiError(404, 10004, 'Unknown Guild');
    return f(g);
  }

  private listCommands(app: string, guildId: string | undefined): Answer {
    if (app !== this.applicationId) return apiError(403, 50001, 'Missing Access');
    if (guildId !== undefined && !this.guilds.has(guildId)) return apiError(403, 50001, 'Missing Access');
    return json(this.commands.filter((c) => c.guildId === guildId).map((c) => this.commandJson(c)));
  }

  /** Bulk overwrite: the list replaces the scope's commands; a name that stays keeps its id. */
  private putCommands(q: Incoming, app: string, guildId: string | undefined): Answer {
    if (app !== this.applicationId) return apiError(403, 50001, 'Missing Access');
    if (guildId !== undefined && !this.guilds.has(guildId)) return apiError(403, 50001, 'Missing Access');
    const e = checkCommands(q.json);
    if (!e.ok) return json(e.body(), 400);
    const before = this.commands.filter((c) => c.guildId === guildId);
    const next = (q.json as Record<string, unknown>[]).map((body) => ({
      id: before.find((c) => c.body.name === body.name)?.id ?? this.ids.next(),
      guildId,
      body,
    }));
    for (const c of before) this.commands.splice(this.commands.indexOf(c), 1);
    this.commands.push(...next);
    return json(next.map((c) => this.commandJson(c)));
  }

  private commandJson(c: RegisteredCommand): Record<string, unknown> {
    return {
      type: 1,
      options: [],
      default_member_permissions: null,
      nsfw: false,
      ...c.body,
      id: c.id,
      application_id: this.applicationId,
      version: c.id,
      ...(c.guildId ? { guild_id: c.guildId } : {}),
    };
  }

  private openDm(q: Incoming): Answer {
    const rid = String((q.json as { recipient_id?: unknown } | null)?.recipient_id ?? '');
    const user = this.users.get(rid);
    if (!user) return apiError(400, 50035, 'Invalid Form Body');
    return json(channelPayload(this.dmChannel(user), this.users));
  }

  /** Who may do what in a channel: 10003 unknown, 50001 cannot see it, 50013 cannot post. */
  private channelAccess(channelId: string, need: bigint): { channel: FakeChannel; guild?: FakeGuild } | Answer {
    const channel = this.channel(channelId);
    if (!channel) return apiError(404, 10003, 'Unknown Channel');
    if (channel.type === ChannelKind.DM) {
      if (need & PermissionFlagsBits.SendMessages && channel.recipientId && this.closedDms.has(channel.recipientId)) {
        return apiError(403, 50007, 'Cannot send messages to this user');
      }
      return { channel };
    }
    const guild = this.guildOf(channel)!;
    if (!guild.members.has(this.bot.id)) return apiError(404, 10003, 'Unknown Channel');
    const perms = permissionsIn(guild, channel, this.bot.id);
    if (!(perms & PermissionFlagsBits.ViewChannel)) return apiError(403, 50001, 'Missing Access');
    if ((perms & need) !== need) return apiError(403, 50013, 'Missing Permissions');
    return { channel, guild };
  }

  private getChannel(id: string): Answer {
    const a = this.channelAccess(id, 0n);
    if ('status' in a) return a;
    return json(channelPayload(a.channel, this.users));
  }

  private createMessage(q: Incoming, channelId: string): Answer {
    let need = PermissionFlagsBits.SendMessages;
    if (q.files.length) need |= PermissionFlagsBits.AttachFiles;
    const a = this.channelAccess(channelId, need);
    if ('status' in a) return a;
    const body = (q.json ?? {}) as Record<string, unknown>;
    const e = checkMessage(body, q.files.length, true);
    const nonce = body.nonce;
    if (nonce !== undefined && !(typeof nonce === 'string' ? nonce.length <= NONCE_MAX : Number.isSafeInteger(nonce))) {
      e.add('nonce', `Must be an integer or a string of ${NONCE_MAX} or fewer in length.`);
    }
    if (!e.ok) return json(e.body(), 400);
    if (body.enforce_nonce === true && nonce !== undefined) {
      // Documented: "If another message was created by the same author with the same nonce, that
      // message will be returned and no new message will be created."
      const since = Date.now() - NONCE_WINDOW_MS;
      const earlier = this.messages.find((x) => x.authorId === this.bot.id && x.nonce !== undefined && String(x.nonce) === String(nonce) && x.createdAt >= since);
      if (earlier) return json(messagePayload(earlier, this.users, this.applicationId));
    }
    const m = this.newMessage(a.channel, body, q.files, 'channel');
    if (typeof nonce === 'string' || typeof nonce === 'number') m.nonce = nonce;
    return json(messagePayload(m, this.users, this.applicationId));
  }

  private getMessage(channelId: string, id: string): Answer {
    const a = this.channelAccess(channelId, PermissionFlagsBits.ReadMessageHistory);
    if ('status' in a) return a;
    const m = this.messages.find((x) => x.id === id && x.channelId === channelId);
    return m ? json(messagePayload(m, this.users, this.applicationId)) : apiError(404, 10008, 'Unknown Message');
  }

  private editChannelMessage(q: Incoming, channelId: string, id: string): Answer {
    const a = this.channelAccess(channelId, PermissionFlagsBits.SendMessages);
    if ('status' in a) return a;
    const m = this.messages.find((x) => x.id === id && x.channelId === channelId);
    if (!m) return apiError(404, 10008, 'Unknown Message');
    if (m.authorId !== this.bot.id) return apiError(403, 50005, 'Cannot edit a message authored by another user');
    return this.applyEdit(m, q);
  }

  private newMessage(channel: FakeChannel, body: Record<string, unknown>, files: UploadedFile[], source: MessageSource, interactionId?: string): FakeMessage {
    const id = this.ids.next();
    const m: FakeMessage = {
      id,
      channelId: channel.id,
      guildId: channel.guildId,
      authorId: this.bot.id,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: [],
      components: Array.isArray(body.components) ? (body.components as Record<string, unknown>[]) : [],
      attachments: this.attachments(channel.id, body, files),
      flags: Number(body.flags ?? 0) & MESSAGE_FLAG_EPHEMERAL,
      source,
      interactionId,
      deferred: false,
      createdAt: Date.now(),
    };
    m.embeds = this.resolveEmbeds(body.embeds, m.attachments);
    this.messages.push(m);
    return m;
  }

  private attachments(channelId: string, body: Record<string, unknown>, files: UploadedFile[], keep: FakeAttachment[] = []): FakeAttachment[] {
    const meta = Array.isArray(body.attachments) ? (body.attachments as { id?: unknown; filename?: string }[]) : [];
    const kept = keep.filter((k) => meta.some((x) => String(x.id) === k.id));
    const added = files.map((f, i) => {
      const id = this.ids.next();
      const named = meta.find((x) => String(x.id) === String(i))?.filename ?? f.filename;
      return { id, filename: named, contentType: f.contentType, bytes: f.bytes, url: `${this.origin}/attachments/${channelId}/${id}/${encodeURIComponent(named)}` };
    });
    return [...kept, ...added];
  }

  /** `attachment://name` in an embed points at the uploaded file, as Discord resolves it. */
  private resolveEmbeds(embeds: unknown, atts: FakeAttachment[]): Record<string, unknown>[] {
    if (!Array.isArray(embeds)) return [];
    const fix = (img: unknown) => {
      const url = (img as { url?: string } | undefined)?.url;
      if (!url?.startsWith('attachment://')) return img;
      const a = atts.find((x) => x.filename === url.slice('attachment://'.length));
      return a ? { url: a.url, proxy_url: a.url } : img;
    };
    return (embeds as Record<string, unknown>[]).map((e) => ({
      type: 'rich',
      ...e,
      ...(e.image ? { image: fix(e.image) } : {}),
      ...(e.thumbnail ? { thumbnail: fix(e.thumbnail) } : {}),
    }));
  }

  private applyEdit(m: FakeMessage, q: Incoming): Answer {
    const body = (q.json ?? {}) as Record<string, unknown>;
    const e = checkMessage(body, q.files.length, false);
    if (!e.ok) return json(e.body(), 400);
    if ('content' in body) m.content = typeof body.content === 'string' ? body.content : '';
    if ('components' in body) m.components = Array.isArray(body.components) ? (body.components as Record<string, unknown>[]) : [];
    if ('attachments' in body || q.files.length) m.attachments = this.attachments(m.channelId, body, q.files, m.attachments);
    if ('embeds' in body) m.embeds = this.resolveEmbeds(body.embeds, m.attachments);
    m.editedAt = Date.now();
    m.deferred = false;
    m.flags &= ~MESSAGE_FLAG_LOADING;
    if (!m.content && m.embeds.length === 0 && m.attachments.length === 0 && m.components.length === 0) {
      return json({ code: 50006, message: 'Cannot send an empty message' }, 400);
    }
    return json(messagePayload(m, this.users, this.applicationId));
  }

  private interactionOf(id: string | undefined, token: string): InteractionRecord | undefined {
    if (id !== undefined) {
      const r = this.interactions.get(id);
      return r && r.token === token ? r : undefined;
    }
    for (const r of this.interactions.values()) if (r.token === token) return r;
    return undefined;
  }

  private refuse(r: InteractionRecord | undefined, q: Incoming, a: Answer): Answer {
    r?.refused.push({ path: q.path, status: a.status, body: a.body });
    return a;
  }

  private callback(q: Incoming, id: string, token: string): Answer {
    const r = this.interactionOf(id, token);
    if (!r) return apiError(404, 10062, 'Unknown interaction');
    if (Date.now() - r.createdAt > this.opts.interactionDeadlineMs && r.callbacks.length === 0) {
      return this.refuse(r, q, apiError(404, 10062, 'Unknown interaction'));
    }
    if (r.callbacks.length > 0) return this.refuse(r, q, apiError(400, 40060, 'Interaction has already been acknowledged.'));
    const body = (q.json ?? {}) as { type?: number; data?: Record<string, unknown> };
    const type = Number(body.type);
    const data = body.data ?? {};
    const channel = this.channel(r.channelId)!;
    switch (type) {
      case Callback.Reply: {
        if (r.type === InteractionKind.Autocomplete) return this.refuse(r, q, apiError(400, 50035, 'Invalid Form Body'));
        const e = checkMessage(data, q.files.length, true);
        if (!e.ok) return this.refuse(r, q, json(e.body(), 400));
        r.original = this.newMessage(channel, data, q.files, 'interaction', r.id);
        break;
      }
      case Callback.DeferReply:
        if (r.type === InteractionKind.Autocomplete) return this.refuse(r, q, apiError(400, 50035, 'Invalid Form Body'));
        r.original = this.newMessage(channel, { content: '', flags: data.flags }, [], 'interaction', r.id);
        r.original.deferred = true;
        r.original.flags |= MESSAGE_FLAG_LOADING;
        break;
      case Callback.DeferUpdate:
      case Callback.Update: {
        if (r.type !== InteractionKind.Component) return this.refuse(r, q, apiError(400, 50035, 'Invalid Form Body'));
        const msgId = String((r.payload.message as { id?: string }).id);
        const m = this.messages.find((x) => x.id === msgId);
        if (type === Callback.Update && m) {
          const a = this.applyEdit(m, { ...q, json: data });
          if (a.status !== 200) return this.refuse(r, q, a);
          r.updated = m;
        }
        break;
      }
      case Callback.AutocompleteResult: {
        if (r.type !== InteractionKind.Autocomplete) return this.refuse(r, q, apiError(400, 50035, 'Invalid Form Body'));
        const e = checkChoices(data.choices);
        if (!e.ok) return this.refuse(r, q, json(e.body(), 400));
        r.choices = data.choices as { name: string; value: string | number }[];
        break;
      }
      case Callback.Modal:
        break;
      default:
        return this.refuse(r, q, apiError(400, 50035, 'Invalid Form Body'));
    }
    r.callbacks.push({ type, data, files: q.files, at: Date.now() });
    if (q.query.get('with_response') === 'true') {
      const msg = r.original ?? r.updated;
      return json({
        interaction: {
          id: r.id,
          type: r.type,
          activity_instance_id: null,
          response_message_id: msg?.id ?? null,
          response_message_loading: msg?.deferred ?? false,
          response_message_ephemeral: msg ? (msg.flags & MESSAGE_FLAG_EPHEMERAL) !== 0 : false,
        },
        resource: { type, ...(msg ? { message: messagePayload(msg, this.users, this.applicationId) } : {}) },
      });
    }
    return noContent();
  }

  /** Interaction webhooks work once the interaction is acknowledged, for 15 minutes. */
  private webhookInteraction(q: Incoming, app: string, token: string): InteractionRecord | Answer {
    const r = this.interactionOf(undefined, token);
    if (app !== this.applicationId || !r) return apiError(404, 10015, 'Unknown Webhook');
    if (r.callbacks.length === 0 || Date.now() - r.createdAt > INTERACTION_TOKEN_TTL_MS) return this.refuse(r, q, apiError(404, 10015, 'Unknown Webhook'));
    return r;
  }

  private followup(q: Incoming, app: string, token: string): Answer {
    const r = this.webhookInteraction(q, app, token);
    if ('status' in r) return r;
    const body = (q.json ?? {}) as Record<string, unknown>;
    const e = checkMessage(body, q.files.length, true);
    if (!e.ok) return this.refuse(r, q, json(e.body(), 400));
    const m = this.newMessage(this.channel(r.channelId)!, body, q.files, 'followup', r.id);
    r.followups.push(m);
    return json(messagePayload(m, this.users, this.applicationId));
  }

  private webhookMessage(q: Incoming, app: string, token: string, messageId: string): Answer {
    const r = this.webhookInteraction(q, app, token);
    if ('status' in r) return r;
    const m = messageId === '@original' ? r.original : r.followups.find((f) => f.id === messageId);
    if (!m) return this.refuse(r, q, apiError(404, 10008, 'Unknown Message'));
    if (q.method === 'GET') return json(messagePayload(m, this.users, this.applicationId));
    if (q.method === 'DELETE') {
      this.messages.splice(this.messages.indexOf(m), 1);
      if (r.original === m) r.original = undefined;
      return noContent();
    }
    const a = this.applyEdit(m, q);
    return a.status === 200 ? a : this.refuse(r, q, a);
  }

  private serveAttachment(path: string, res: http.ServerResponse): void {
    const [, , channelId, id] = path.split('/');
    const a = this.messages.filter((m) => m.channelId === channelId).flatMap((m) => m.attachments).find((x) => x.id === id);
    if (!a) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': a.contentType, 'content-length': String(a.bytes.length) }).end(a.bytes);
  }
}
