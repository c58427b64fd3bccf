import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { streamId, type StreamKey } from '../engine/core/types.js';
import { checkPrefix, LuaScripts, type RedisClient } from '../store/redis-client.js';

/**
 * Stream ownership for several engine processes (`tickwatch run --role engine`): each stream
 * (venue, symbol) is owned by exactly one engine through a lease in Redis.
 *
 * - A lease is a key holding the owner's id with a time to live (`leaseTtlMs`). The owner renews
 *   all of its leases every `renewMs` in one script; a lease it failed to renew is gone.
 * - An engine that dies stops renewing: its leases expire after at most `leaseTtlMs`, and the
 *   survivors take the streams at their next cycle, so a dead engine's streams are owned again
 *   within `handoverBoundMs` = `leaseTtlMs + renewMs` of its death (plus the warm start).
 * - Engines also keep a membership entry that expires like a lease; each takes streams up to its
 *   fair share (streams / live engines, rounded up) and hands the excess back when more engines
 *   join, so that the streams spread out. Streams of one symbol are taken and handed back
 *   together where they can be, so that the cross-venue composite, divergence and consensus keep
 *   seeing every venue of the symbol in one engine.
 * - Fencing: an engine treats a lease as held only until `renewal sent + leaseTtlMs` by its own
 *   clock. Redis expires the key no earlier than that, so a new owner can only take a stream after
 *   the old owner has stopped acting on it (an engine paused past its lease drops its alerts).
 *
 * Keys (one hash tag, so every script touches one Redis Cluster slot):
 * `P:{own}:s:<venue>:<symbol>` (string, owner id, expires) and `P:{own}:members` (zset, engine id
 * by expiry time); `P:{own}:all` is the `--role all` lock (./singleton.ts).
 */

/** Default lease time to live. */
export const LEASE_TTL_MS = 10_000;
/** Default renewal (and acquisition) period: a lease survives a few missed renewals. */
export const LEASE_RENEW_MS = 2_000;
/** A free stream is taken regardless of fair share once it has been free for this many renew periods (membership lag never leaves it orphaned). */
const ORPHAN_CYCLES = 2;

export interface LeaseOptions {
  ttlMs: number;
  renewMs: number;
}

/** Throws unless a lease (or the `--role all` lock, `what`) outlives at least one renew period. */
export function checkLeaseOptions(o: LeaseOptions, what: string): void {
  if (!(o.renewMs > 0) || !(o.ttlMs > o.renewMs)) throw new Error(`${what} ttl (${o.ttlMs} ms) must exceed the renew period (${o.renewMs} ms)`);
}

/** The longest time a dead engine's streams stay unowned. */
export function handoverBoundMs(o: LeaseOptions): number {
  return o.ttlMs + o.renewMs;
}

/** The hash-tagged base of every ownership key of a prefix (`P:{own}`): leases, members and the `--role all` lock share one Redis Cluster slot. */
export function ownKeyBase(prefix: string): string {
  return `${checkPrefix(prefix)}:{own}`;
}

/** A readable, unique engine id: host, process id and a random suffix. */
export function engineId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

const LUA = {
  // KEYS[1] members, KEYS[2..] leases the caller believes it holds; ARGV me, ttl.
  renew: {
    keys: -1,
    lua: `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = {}
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ttl)
    held[#held + 1] = 1
  else
    held[#held + 1] = 0
  end
end
return { redis.call('ZCARD', KEYS[1]), held }`,
  },
  // KEYS leases; ARGV me, ttl. 1 for each lease taken.
  acquire: {
    keys: -1,
    lua: `local out = {}
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then out[i] = 1 else out[i] = 0 end
end
return out`,
  },
  // KEYS leases; ARGV me. Deletes only what the caller still holds.
  release: {
    keys: -1,
    lua: `local n = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]); n = n + 1 end
end
return n`,
  },
} as const;

/** The Redis side of the leases: one round trip per operation. */
export class LeaseTable {
  private readonly scripts: LuaScripts<keyof typeof LUA>;
  private readonly base: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.base = ownKeyBase(prefix);
    this.scripts = new LuaScripts(redis, 'twlease', LUA);
  }

  key(s: StreamKey): string {
    return `${this.base}:s:${streamId(s)}`;
  }

  get membersKey(): string {
    return `${this.base}:members`;
  }

  /** Renews membership and the given leases; answers the live engine count and which leases are still ours. */
  async renew(me: string, ttlMs: number, streams: readonly StreamKey[]): Promise<{ engines: number; held: boolean[] }> {
    const r = (await this.scripts.run('renew', [this.membersKey, ...streams.map((s) => this.key(s))], [me, ttlMs])) as [number, number[]];
    return { engines: Number(r[0]), held: r[1].map((x) => Number(x) === 1) };
  }

  async acquire(me: string, ttlMs: number, streams: readonly StreamKey[]): Promise<boolean[]> {
    if (streams.length === 0) return [];
    const r = (await this.scripts.run('acquire', streams.map((s) => this.key(s)), [me, ttlMs])) as number[];
    return r.map((x) => Number(x) === 1);
  }

  async release(me: string, streams: readonly StreamKey[]): Promise<number> {
    if (streams.length === 0) return 0;
    return Number(await this.scripts.run('release', streams.map((s) => this.key(s)), [me]));
  }

  /** Current owner of each stream (null: free). */
  async owners(streams: readonly StreamKey[]): Promise<(string | null)[]> {
    if (streams.length === 0) return [];
    return (await this.redis.mget(...streams.map((s) => this.key(s)))) as (string | null)[];
  }

  /** Every lease and its owner (status output and tests). */
  async all(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const pattern = `${this.base}:s:*`;
    const nodes = 'nodes' in this.redis && typeof this.redis.nodes === 'function' ? this.redis.nodes('master') : [this.redis];
    const keys: string[] = [];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
    }
    if (keys.length === 0) return out;
    const owners = (await this.redis.mget(...keys)) as (string | null)[];
    keys.forEach((k, i) => {
      const o = owners[i];
      if (o) out.set(k.slice(pattern.length - 1), o);
    });
    return out;
  }

  async leave(me: string): Promise<void> {
    await this.redis.zrem(this.membersKey, me);
  }
}

/** What the engine does when streams change hands. */
export interface OwnershipHooks {
  /** Every stream that should be watched now (configured pairs and subscribed ones). */
  universe(): Promise<StreamKey[]>;
  /**
   * Streams just taken: warm them (snapshot, alert history) and start streaming them. Runs beside
   * the cycle; a stream may have been lost or handed back by the time it runs (check `has`).
   */
  acquired(streams: StreamKey[]): Promise<void>;
  /** Streams about to be handed back (rebalancing, shutdown): stop acting on them and save their windows. */
  releasing(streams: StreamKey[]): Promise<void>;
  /** Streams whose lease was lost (renewal failed or came too late): stop acting on them; another engine owns them. */
  lost(streams: StreamKey[]): void;
  onError?: ((err: unknown, context: string) => void) | undefined;
}

export interface OwnershipSnapshot {
  engines: number;
  owned: string[];
  universe: number;
}

/**
 * One engine's side of stream ownership: a cycle every `renewMs` renews its leases, takes free
 * streams up to its fair share and hands back the excess. See the module comment for the
 * guarantees.
 */
export class StreamOwnership {
  readonly id: string;
  /** Owned streams by venue, then symbol → local deadline (epoch ms) of the lease. */
  private readonly owned = new Map<string, Map<string, number>>();
  private readonly freeSince = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private warming: Promise<void> = Promise.resolve();
  /** Streams taken, handed back and lost since start (monotonic, for metrics). */
  readonly counts = { taken: 0, handedBack: 0, lost: 0 };
  private stopped = false;
  private engines = 1;
  private universeSize = 0;
  private readonly now: () => number;

  constructor(
    private readonly table: LeaseTable,
    private readonly opts: LeaseOptions,
    private readonly hooks: OwnershipHooks,
    o: { id?: string | undefined; now?: (() => number) | undefined } = {},
  ) {
    checkLeaseOptions(opts, 'lease');
    this.id = o.id ?? engineId();
    this.now = o.now ?? Date.now;
  }

  /** Is the stream ours right now (lease held and not past its local deadline)? */
  holds(venue: string, symbol: string): boolean {
    const d = this.owned.get(venue)?.get(symbol);
    return d !== undefined && this.now() < d;
  }

  /** Cheap membership test for the tick path (the deadline is enforced by the cycle and at alert time). */
  has(venue: string, symbol: string): boolean {
    return this.owned.get(venue)?.has(symbol) ?? false;
  }

  ownedStreams(): StreamKey[] {
    const out: StreamKey[] = [];
    for (const [venue, m] of this.owned) for (const symbol of m.keys()) out.push({ venue, symbol });
    return out;
  }

  snapshot(): OwnershipSnapshot {
    return { engines: this.engines, owned: this.ownedStreams().map(streamId).sort(), universe: this.universeSize };
  }

  /** Runs the first cycle now, then one every renewMs. */
  start(): Promise<void> {
    this.stopped = false;
    return this.cycleAndSchedule();
  }

  /** Cycles start every renewMs (not renewMs after the previous one ended), so a slow cycle does not stretch the bound. */
  private cycleAndSchedule(): Promise<void> {
    const startedAt = this.now();
    this.running = this.cycle()
      .catch((err: unknown) => this.hooks.onError?.(err, 'stream ownership cycle'))
      .finally(() => {
        this.running = null;
        if (!this.stopped) {
          this.timer = setTimeout(() => void this.cycleAndSchedule(), Math.max(0, startedAt + this.opts.renewMs - this.now()));
          this.timer.unref?.();
        }
      });
    return this.running;
  }

  /** One cycle: renew, drop what is lost, take or hand back streams. Exposed for tests. */
  async cycle(): Promise<void> {
    const mine = this.ownedStreams();
    const sentAt = this.now();
    let renewal: { engines: number; held: boolean[] };
    try {
      renewal = await this.table.renew(this.id, this.opts.ttlMs, mine);
    } catch (err) {
      // Redis unreachable: whatever passed its deadline is no longer ours to act on.
      this.expireLocally();
      throw err;
    }
    this.engines = Math.max(1, renewal.engines);
    const lost: StreamKey[] = [];
    mine.forEach((s, i) => {
      if (renewal.held[i]) this.set(s, sentAt + this.opts.ttlMs);
      else lost.push(s);
    });
    if (lost.length) this.drop(lost);
    if (this.stopped) return;

    const universe = await this.hooks.universe();
    this.universeSize = universe.length;
    const wanted = new Set(universe.map(streamId));
    // Streams no longer wanted (a pair nobody watches any more) are handed back.
    const unwanted = this.ownedStreams().filter((s) => !wanted.has(streamId(s)));
    if (unwanted.length) await this.handBack(unwanted);

    const owners = await this.table.owners(universe);
    const now = this.now();
    const fair = Math.ceil(universe.length / this.engines);
    const bySymbol = new Map<string, { free: StreamKey[]; mine: number; others: number }>();
    universe.forEach((s, i) => {
      let g = bySymbol.get(s.symbol);
      if (!g) bySymbol.set(s.symbol, (g = { free: [], mine: 0, others: 0 }));
      const o = owners[i];
      const id = streamId(s);
      if (o === null || o === undefined) {
        g.free.push(s);
        if (!this.freeSince.has(id)) this.freeSince.set(id, now);
      } else {
        this.freeSince.delete(id);
        if (o === this.id) g.mine++;
        else g.others++;
      }
    });
    for (const id of this.freeSince.keys()) if (!wanted.has(id)) this.freeSince.delete(id);

    let count = this.ownedStreams().length;
    const take: StreamKey[] = [];
    const orphanAfter = ORPHAN_CYCLES * this.opts.renewMs;
    // Symbols partly ours first (their venues belong together), then whole free symbols, in an
    // order of our own so that engines starting together do not all reach for the same ones.
    const groups = [...bySymbol.entries()].filter(([, g]) => g.free.length > 0);
    groups.sort(([a, ga], [b, gb]) => Number(gb.mine > 0) - Number(ga.mine > 0) || rank(this.id, a) - rank(this.id, b));
    for (const [, g] of groups) {
      const orphaned = g.free.filter((s) => now - (this.freeSince.get(streamId(s)) ?? now) >= orphanAfter);
      if (g.mine > 0 || (g.others === 0 && count < fair)) {
        take.push(...g.free);
        count += g.free.length;
      } else if (orphaned.length) {
        take.push(...orphaned);
        count += orphaned.length;
      }
    }
    if (take.length) {
      const at = this.now();
      const got = await this.table.acquire(this.id, this.opts.ttlMs, take);
      const taken = take.filter((_, i) => got[i]);
      for (const s of taken) {
        this.set(s, at + this.opts.ttlMs);
        this.freeSince.delete(streamId(s));
      }
      // Warm starts run beside the cycle, one batch after another: a slow restore must never
      // delay the next renewal (the leases would expire under it).
      this.counts.taken += taken.length;
      if (taken.length) {
        this.warming = this.warming.then(() => this.hooks.acquired(taken)).catch((err: unknown) => this.hooks.onError?.(err, 'taking streams'));
      }
    }

    // More than our share (engines joined): hand back whole symbols while we stay at or above it.
    const excess = this.ownedStreams().length - fair;
    if (excess > 0 && this.engines > 1) {
      const bySym = new Map<string, StreamKey[]>();
      for (const s of this.ownedStreams()) {
        const l = bySym.get(s.symbol) ?? [];
        l.push(s);
        bySym.set(s.symbol, l);
      }
      const give: StreamKey[] = [];
      let left = this.ownedStreams().length;
      for (const sym of [...bySym.keys()].sort((a, b) => rank(this.id, b) - rank(this.id, a))) {
        const l = bySym.get(sym) as StreamKey[];
        if (left - l.length < fair) continue;
        give.push(...l);
        left -= l.length;
      }
      if (give.length) await this.handBack(give);
    }
  }

  /** Hands streams back: the engine saves them first, then the leases go. */
  private async handBack(streams: StreamKey[]): Promise<void> {
    await this.hooks.releasing(streams);
    this.counts.handedBack += streams.length;
    for (const s of streams) this.owned.get(s.venue)?.delete(s.symbol);
    await this.table.release(this.id, streams);
  }

  /**
   * Stops the cycle. `release` (a clean shutdown) hands every stream back at once, so that the
   * others take them at their next cycle instead of after the lease time.
   */
  async stop(opts: { release: boolean } = { release: true }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    await this.warming;
    if (!opts.release) return;
    const mine = this.ownedStreams();
    if (mine.length) await this.handBack(mine);
    await this.table.leave(this.id);
  }

  private set(s: StreamKey, deadline: number): void {
    let m = this.owned.get(s.venue);
    if (!m) this.owned.set(s.venue, (m = new Map()));
    m.set(s.symbol, deadline);
  }

  private drop(streams: StreamKey[]): void {
    this.counts.lost += streams.length;
    for (const s of streams) this.owned.get(s.venue)?.delete(s.symbol);
    try {
      this.hooks.lost(streams);
    } catch (err) {
      this.hooks.onError?.(err, 'lost streams');
    }
  }

  private expireLocally(): void {
    const now = this.now();
    const gone = this.ownedStreams().filter((s) => !((this.owned.get(s.venue)?.get(s.symbol) ?? 0) > now));
    if (gone.length) this.drop(gone);
  }
}

/** A stable per-engine order of symbols (FNV-1a of engine id and symbol). */
function rank(id: string, symbol: string): number {
  let h = 0x811c9dc5;
  const s = `${id}|${symbol}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

