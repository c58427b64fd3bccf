/**
 * `tickwatch run --role all` streams and alerts on every configured stream without leases, so
 * two of them on one Redis prefix (or one beside `--role engine` processes of that prefix) would
 * send every alert twice, and two Telegram long-pollers on one token would fight. This module
 * enforces what docs/ops.md states:
 *
 * - `--role all` holds the lock `P:{own}:all` (value: its id, `<host>-<pid>-<random>` as engine
 *   ids are) with the stream leases' time to live (`cluster.leaseTtlMs`), renewed every
 *   `cluster.renewMs`, deleted on a clean stop (only while it is still its own).
 * - At start it takes the lock only when no other `--role all` holds it and no engine is a live
 *   member of `P:{own}:members`, in one script. `--role engine` registers as a member only when
 *   nobody holds the lock, in one script too, so that an `all` and an engine starting together
 *   cannot both pass.
 * - Either waits for what stands in its way to expire for at most `handoverBoundMs` (one time to
 *   live plus one renew period: a crashed holder's lock or membership is gone by then), then
 *   refuses to start with a `RoleConflictError` (exit code 2).
 * - Fencing: `--role all` treats the lock as held only until `renewal sent + leaseTtlMs` by its
 *   own clock (Redis expires the key no earlier), and a renewal that finds the key gone or
 *   another owner's reports the lock lost: the process stops alerting and exits.
 *
 * The keys share the `{own}` hash tag with the leases, so the scripts run on Redis Cluster.
 */
import { LuaScripts, type RedisClient } from '../store/redis-client.js';
import { checkLeaseOptions, engineId, handoverBoundMs, ownKeyBase, type LeaseOptions, type LeaseTable } from './leases.js';
import type { Logger } from './log.js';

const LUA = {
  // KEYS[1] lock, KEYS[2] engine members; ARGV me, ttl. {1}: taken (or already ours);
  // {0, 'all', holder}; {0, 'engine', id, ...}: live engines (expired members are pruned).
  acquire: {
    keys: 2,
    lua: `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local engines = redis.call('ZRANGE', KEYS[2], 0, -1)
if #engines > 0 then
  table.insert(engines, 1, 'engine')
  table.insert(engines, 1, 0)
  return engines
end
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return { 0, 'all', holder } end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return { 1 }`,
  },
  // KEYS[1] lock; ARGV me, ttl. {1}: renewed; {0, holder or ''}: not ours any more.
  renew: {
    keys: 1,
    lua: `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return { 1 }
end
return { 0, holder or '' }`,
  },
  // KEYS[1] lock; ARGV me. Deletes the lock only while it is the caller's.
  release: {
    keys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  // KEYS[1] lock, KEYS[2] engine members; ARGV me, ttl. {1}: registered as a member until now + ttl; {0, holder}.
  admitEngine: {
    keys: 2,
    lua: `local holder = redis.call('GET', KEYS[1])
if holder then return { 0, holder } end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return { 1 }`,
  },
} as const;

/** What keeps a process from starting: another `--role all`, or live `--role engine` processes. */
export interface Blocker {
  role: 'all' | 'engine';
  ids: string[];
}

export type Claim = { ok: true } | { ok: false; blocker: Blocker };

/** The Redis side of the `--role all` lock: one round trip per operation. */
export class AllLockTable {
  readonly key: string;
  readonly membersKey: string;
  private readonly scripts: LuaScripts<keyof typeof LUA>;

  constructor(
    private readonly redis: RedisClient,
    readonly prefix: string,
  ) {
    const base = ownKeyBase(prefix);
    this.key = `${base}:all`;
    this.membersKey = `${base}:members`;
    this.scripts = new LuaScripts(redis, 'twall', LUA);
  }

  /** Takes the lock for `me` unless another `--role all` holds it or engines are live. */
  async acquire(me: string, ttlMs: number): Promise<Claim> {
    const r = (await this.scripts.run('acquire', [this.key, this.membersKey], [me, ttlMs])) as (number | string)[];
    if (Number(r[0]) === 1) return { ok: true };
    return { ok: false, blocker: { role: r[1] === 'engine' ? 'engine' : 'all', ids: r.slice(2).map(String) } };
  }

  /** Extends the lock while it is `me`'s; otherwise answers who holds it now (null: nobody). */
  async renew(me: string, ttlMs: number): Promise<{ ok: true } | { ok: false; holder: string | null }> {
    const r = (await this.scripts.run('renew', [this.key], [me, ttlMs])) as (number | string)[];
    if (Number(r[0]) === 1) return { ok: true };
    return { ok: false, holder: r[1] ? String(r[1]) : null };
  }

  /** Deletes the lock only while it is `me`'s; true when it did. */
  async release(me: string): Promise<boolean> {
    return Number(await this.scripts.run('release', [this.key], [me])) === 1;
  }

  /** Registers engine `me` as a live member unless a `--role all` holds the lock. */
  async admitEngine(me: string, ttlMs: number): Promise<Claim> {
    const r = (await this.scripts.run('admitEngine', [this.key, this.membersKey], [me, ttlMs])) as (number | string)[];
    if (Number(r[0]) === 1) return { ok: true };
    return { ok: false, blocker: { role: 'all', ids: [String(r[1])] } };
  }

  /** Who holds the lock now (null: nobody). */
  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}

/** Another process of the same prefix stands in the way: refuse to start (exit code 2). */
export class RoleConflictError extends Error {
  override readonly name = 'RoleConflictError';
  constructor(
    readonly role: 'all' | 'engine',
    readonly prefix: string,
    readonly blocker: Blocker,
  ) {
    super(conflictMessage(role, prefix, blocker));
  }
}

function conflictMessage(role: 'all' | 'engine', prefix: string, b: Blocker): string {
  const where = `this Redis prefix (${prefix})`;
  if (b.role === 'engine') {
    return `tickwatch --role engine processes are running against ${where}: ${b.ids.join(', ')}; --role all cannot run beside them: stop them, or give this one another store.prefix`;
  }
  if (role === 'all') return `another tickwatch --role all is running against ${where}: ${b.ids.join(', ')}; stop it, or give this one another store.prefix`;
  return `a tickwatch --role all is running against ${where}: ${b.ids.join(', ')}; --role engine cannot run beside it: stop it, or give this one another store.prefix`;
}

interface WaitOptions {
  role: 'all' | 'engine';
  table: AllLockTable;
  lease: LeaseOptions;
  log: Logger;
  now: () => number;
}

/**
 * Tries `attempt` now and then every renew period until it succeeds or `handoverBoundMs` has
 * passed since the first try (a crashed holder's lock or membership has expired by then); logs
 * once what it waits for, and throws a RoleConflictError naming who is still in the way.
 */
async function claimWithin(attempt: () => Promise<Claim>, o: WaitOptions): Promise<void> {
  const boundMs = handoverBoundMs(o.lease);
  const t0 = o.now();
  let waiting = false;
  for (;;) {
    const c = await attempt();
    if (c.ok) return;
    const left = t0 + boundMs - o.now();
    if (left <= 0) throw new RoleConflictError(o.role, o.table.prefix, c.blocker);
    if (!waiting) {
      waiting = true;
      const what = c.blocker.role === 'all' ? `the --role all lock held by ${c.blocker.ids.join(', ')}` : `the membership of --role engine ${c.blocker.ids.join(', ')}`;
      o.log.info({ prefix: o.table.prefix, blocker: c.blocker, waitMs: boundMs }, `waiting up to ${boundMs} ms for ${what} to expire (a stopped process's entry expires by then)`);
    }
    await new Promise((r) => setTimeout(r, Math.min(o.lease.renewMs, left)));
  }
}

export interface AllRoleLockHooks {
  log: Logger;
  /** The renewal found the lock gone or another owner's: stop alerting and exit. Called once. */
  onLost(holder: string | null): void;
}

/**
 * The `--role all` process's side of the lock: taken at start (with the wait rule), renewed every
 * `renewMs`, held locally until `renewal sent + ttlMs`, released on a clean stop.
 */
export class AllRoleLock {
  readonly id: string;
  private deadline = 0;
  private lostTo: { holder: string | null } | null = null;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly table: AllLockTable,
    private readonly lease: LeaseOptions,
    private readonly hooks: AllRoleLockHooks,
    o: { id?: string | undefined; now?: (() => number) | undefined } = {},
  ) {
    checkLeaseOptions(lease, 'lock');
    this.id = o.id ?? engineId();
    this.now = o.now ?? Date.now;
  }

  /** Takes the lock (waiting as the module comment says) and starts renewing it; throws RoleConflictError. */
  async acquire(): Promise<void> {
    await claimWithin(
      async () => {
        const sentAt = this.now();
        const c = await this.table.acquire(this.id, this.lease.ttlMs);
        if (c.ok) this.deadline = sentAt + this.lease.ttlMs;
        return c;
      },
      { role: 'all', table: this.table, lease: this.lease, log: this.hooks.log, now: this.now },
    );
    this.hooks.log.info({ prefix: this.table.prefix, id: this.id, ttlMs: this.lease.ttlMs }, 'holding the --role all lock of this Redis prefix');
    this.schedule(this.now());
  }

  /** May this process act (alert) now: the lock not lost and its local deadline not passed? */
  holds(): boolean {
    return this.lostTo === null && this.now() < this.deadline;
  }

  get lost(): boolean {
    return this.lostTo !== null;
  }

  /** Renewals start every renewMs (not renewMs after the previous one ended), like the lease cycles. */
  private schedule(startedAt: number): void {
    if (this.stopped || this.lostTo) return;
    this.timer = setTimeout(() => this.renew(), Math.max(0, startedAt + this.lease.renewMs - this.now()));
    this.timer.unref?.();
  }

  private renew(): void {
    const startedAt = this.now();
    this.running = this.table
      .renew(this.id, this.lease.ttlMs)
      .then((r) => {
        if (r.ok) {
          this.deadline = Math.max(this.deadline, startedAt + this.lease.ttlMs);
          return;
        }
        if (this.stopped) return;
        this.lostTo = { holder: r.holder };
        this.hooks.onLost(r.holder);
      })
      .catch((err: unknown) => this.hooks.log.warn({ err: (err as Error).message }, 'renewing the --role all lock failed: alerts stop at its local deadline'))
      .finally(() => {
        this.running = null;
        this.schedule(startedAt);
      });
  }

  /** Stops renewing and deletes the lock if it is still ours (a clean stop: a successor starts at once). */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    this.deadline = 0;
    if (!this.lostTo) await this.table.release(this.id);
  }
}

/** A `--role engine` process admitted beside no `--role all`: keeps its membership until the ownership cycle does. */
export interface EngineAdmission {
  /** Stops the interim membership renewal (the ownership cycle renews it from now on). */
  handOver(): void;
}

/**
 * Registers engine `id` as a live member of its prefix unless a `--role all` holds the lock (same
 * wait rule; throws RoleConflictError), then renews that membership every renew period until
 * `handOver`, so that no `--role all` can start while this engine is still starting.
 */
export async function admitEngine(
  table: AllLockTable,
  leases: LeaseTable,
  o: { id: string; lease: LeaseOptions; log: Logger; onError: (err: unknown, context: string) => void; now?: (() => number) | undefined },
): Promise<EngineAdmission> {
  await claimWithin(() => table.admitEngine(o.id, o.lease.ttlMs), { role: 'engine', table, lease: o.lease, log: o.log, now: o.now ?? Date.now });
  const timer = setInterval(() => void leases.renew(o.id, o.lease.ttlMs, []).catch((err: unknown) => o.onError(err, 'engine membership')), o.lease.renewMs);
  timer.unref();
  return { handOver: () => clearInterval(timer) };
}
