import { randomBytes } from 'node:crypto';
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from 'discord.js';
import type { WebSocket } from 'ws';

/**
 * The Discord gateway, as a bot sees it over one WebSocket per shard: HELLO with the heartbeat
 * interval; IDENTIFY (token, intents, shard) answered by READY and one GUILD_CREATE per guild of
 * that shard; heartbeats answered by ACKs; RESUME replaying every dispatch after the client's
 * sequence, then RESUMED; op 7 (reconnect) and op 9 (invalid session) on demand; the close codes
 * Discord uses for bad tokens, bad shards and disallowed intents.
 */

/** Intents Discord makes bots enable in the developer portal before they may be identified with. */
export const PRIVILEGED_INTENTS = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

/** Dispatches kept per session for resumes (Discord keeps a bounded buffer too). */
const REPLAY_BUFFER = 1000;

export interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

export interface GatewaySession {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  log: Dispatch[];
  conn?: GatewayConnection | undefined;
  resumes: number;
  /** False after an op 9 that told the client to start over. */
  valid: boolean;
}

export interface GatewayConnection {
  ws: WebSocket;
  /** Path and query the client connected with (e.g. `/gateway?v=10&encoding=json`). */
  url: string;
  session?: GatewaySession | undefined;
  heartbeats: number;
  closedWith?: number | undefined;
}

export interface GatewayHooks {
  token: () => string;
  heartbeatIntervalMs: () => number;
  shards: () => number;
  /** Privileged intents this application may use. */
  allowedPrivilegedIntents: () => number;
  /** Where RESUME connections go (READY's resume_gateway_url). */
  resumeUrl: () => string;
  readyPayload: (session: GatewaySession) => Record<string, unknown>;
  /** GUILD_CREATE payloads of the guilds on a shard. */
  guildsFor: (shard: [number, number]) => Record<string, unknown>[];
  changed: () => void;
}

export class FakeGateway {
  readonly sessions = new Map<string, GatewaySession>();
  readonly connections: GatewayConnection[] = [];
  /** Every payload clients sent, in order (tokens included: the fake is local). */
  readonly received: { op: number; d: unknown }[] = [];
  readonly counters = { identifies: 0, resumes: 0, heartbeats: 0, acks: 0, invalidSessions: 0 };

  constructor(private readonly hooks: GatewayHooks) {}

  accept(ws: WebSocket, url: string): void {
    const conn: GatewayConnection = { ws, url, heartbeats: 0 };
    this.connections.push(conn);
    const q = new URL(url, 'ws://x').searchParams;
    if (q.get('encoding') !== null && q.get('encoding') !== 'json') {
      ws.close(GatewayCloseCodes.DecodeError, 'Only JSON encoding is supported here.');
      return;
    }
    if (q.get('v') !== null && q.get('v') !== '10') {
      ws.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
      return;
    }
    ws.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? null : data.toString()));
    ws.on('close', (code) => {
      conn.closedWith = code;
      if (conn.session?.conn === conn) conn.session.conn = undefined;
      this.hooks.changed();
    });
    ws.on('error', () => undefined);
    this.send(conn, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs() }, s: null, t: null });
    this.hooks.changed();
  }

  /** Sends an event to the session of the guild's shard (every session when guildId is absent). */
  dispatch(t: string, d: unknown, guildId?: string): void {
    for (const s of this.sessions.values()) {
      if (!s.valid) continue;
      if (guildId !== undefined && shardOf(guildId, s.shard[1]) !== s.shard[0]) continue;
      this.emit(s, t, d);
    }
  }

  /** Closes every open gateway connection with a close code (4000: the client resumes). */
  closeAll(code: number, reason = ''): void {
    for (const c of this.open()) c.ws.close(code, reason);
  }

  /** Op 7: Discord asks the client to reconnect and resume. */
  requestReconnect(): void {
    for (const c of this.open()) this.send(c, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
  }

  /** Op 9 to every open connection; not resumable means the client must IDENTIFY again. */
  invalidateSessions(resumable: boolean): void {
    for (const c of this.open()) {
      if (!resumable && c.session) c.session.valid = false;
      this.counters.invalidSessions++;
      this.send(c, { op: GatewayOpcodes.InvalidSession, d: resumable, s: null, t: null });
    }
  }

  open(): GatewayConnection[] {
    return this.connections.filter((c) => c.closedWith === undefined && c.ws.readyState === c.ws.OPEN);
  }

  private emit(s: GatewaySession, t: string, d: unknown): void {
    const p: Dispatch = { op: 0, t, s: ++s.seq, d };
    s.log.push(p);
    if (s.log.length > REPLAY_BUFFER) s.log.shift();
    if (s.conn) this.send(s.conn, p);
  }

  private send(c: GatewayConnection, payload: unknown): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(payload));
  }

  private onMessage(c: GatewayConnection, text: string | null): void {
    let p: { op?: unknown; d?: unknown };
    try {
      if (text === null) throw new Error('binary');
      p = JSON.parse(text) as typeof p;
    } catch {
      c.ws.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    this.received.push({ op: Number(p.op), d: p.d });
    switch (p.op) {
      case GatewayOpcodes.Heartbeat:
        c.heartbeats++;
        this.counters.heartbeats++;
        this.counters.acks++;
        this.send(c, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        break;
      case GatewayOpcodes.Identify:
        this.identify(c, (p.d ?? {}) as Record<string, unknown>);
        break;
      case GatewayOpcodes.Resume:
        this.resume(c, (p.d ?? {}) as Record<string, unknown>);
        break;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
        if (!c.session) c.ws.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        break;
      default:
        c.ws.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
    this.hooks.changed();
  }

  private identify(c: GatewayConnection, d: Record<string, unknown>): void {
    if (c.session) return c.ws.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (d.token !== this.hooks.token()) return c.ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const intents = Number(d.intents);
    if (!Number.isInteger(intents) || intents < 0) return c.ws.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
    if (intents & PRIVILEGED_INTENTS & ~this.hooks.allowedPrivilegedIntents()) return c.ws.close(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    const count = this.hooks.shards();
    const shard = (Array.isArray(d.shard) ? d.shard : [0, 1]) as [number, number];
    if (shard[1] !== count || shard[0] < 0 || shard[0] >= count) {
      return c.ws.close(count > 1 && shard[1] === 1 ? GatewayCloseCodes.ShardingRequired : GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    }
    this.counters.identifies++;
    const session: GatewaySession = { id: randomBytes(16).toString('hex'), shard, intents, seq: 0, log: [], conn: c, resumes: 0, valid: true };
    this.sessions.set(session.id, session);
    c.session = session;
    this.emit(session, 'READY', this.hooks.readyPayload(session));
    for (const g of this.hooks.guildsFor(shard)) this.emit(session, 'GUILD_CREATE', g);
  }

  private resume(c: GatewayConnection, d: Record<string, unknown>): void {
    if (d.token !== this.hooks.token()) return c.ws.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const session = this.sessions.get(String(d.session_id));
    if (!session || !session.valid) {
      this.counters.invalidSessions++;
      this.send(c, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    const seq = Number(d.seq);
    if (session.log.length && seq < session.log[0]!.s - 1) {
      // Older than the replay buffer: Discord cannot resume it either.
      session.valid = false;
      this.send(c, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    this.counters.resumes++;
    session.resumes++;
    if (session.conn && session.conn !== c) session.conn.ws.close(GatewayCloseCodes.SessionTimedOut, 'Session resumed elsewhere.');
    session.conn = c;
    c.session = session;
    for (const p of session.log) if (p.s > seq) this.send(c, p);
    this.emit(session, 'RESUMED', {});
  }
}

/** Discord's shard formula: `(guild_id >> 22) % num_shards`. */
export function shardOf(guildId: string, shards: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shards));
}
