import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LeaseTable, handoverBoundMs } from '../../src/ops/leases.js';
import { createLogger } from '../../src/ops/log.js';
import { AllLockTable, AllRoleLock, RoleConflictError, admitEngine } from '../../src/ops/singleton.js';
import { REDIS_URL, sleep, until } from './processes.js';

/**
 * Short lock times so that the waits take seconds, long enough that a test worker starved of CPU for
 * a second while the suite loads both cores keeps its lock (the product default is 10 s / 2 s).
 */
const LEASE = { ttlMs: 2_000, renewMs: 400 };
/** Time a renewal or a wait may take beyond its bound on a loaded machine. */
const SCHEDULING_SLACK_MS = 1_000;

describe('the --role all lock (real Redis)', () => {
  const prefix = `twall${Math.random().toString(36).slice(2, 8)}`;
  const redis = new Redis(REDIS_URL);
  const table = new AllLockTable(redis, prefix);
  const leases = new LeaseTable(redis, prefix);
  const locks: AllRoleLock[] = [];
  const lines: string[] = [];
  const log = createLogger({ level: 'info', secrets: [], destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });

  afterEach(async () => {
    for (const l of locks.splice(0)) await l.release().catch(() => {});
    await redis.del(table.key, table.membersKey);
    lines.length = 0;
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('keys the lock beside the leases, under one hash tag', () => {
    expect(table.key).toBe(`${prefix}:{own}:all`);
    expect(table.membersKey).toBe(leases.membersKey);
  });

  it('acquire: takes a free lock with the time to live, again for its owner, never for another', async () => {
    expect(await table.acquire('a', 5_000)).toEqual({ ok: true });
    expect(await redis.get(table.key)).toBe('a');
    const ttl = await redis.pttl(table.key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await table.acquire('a', 5_000)).toEqual({ ok: true });
    expect(await table.acquire('b', 5_000)).toEqual({ ok: false, blocker: { role: 'all', ids: ['a'] } });
    expect(await redis.get(table.key)).toBe('a');
  });

  it('acquire: refuses while engines are live members, and prunes the expired ones', async () => {
    const now = Number((await redis.time())[0]) * 1000;
    await redis.zadd(table.membersKey, String(now + 60_000), 'e1', String(now - 1_000), 'dead');
    expect(await table.acquire('a', 5_000)).toEqual({ ok: false, blocker: { role: 'engine', ids: ['e1'] } });
    expect(await redis.exists(table.key)).toBe(0);
    expect(await redis.zrange(table.membersKey, '0', '-1')).toEqual(['e1']);
    await redis.zrem(table.membersKey, 'e1');
    expect(await table.acquire('a', 5_000)).toEqual({ ok: true });
  });

  it('renew: extends the lock only for its owner and names whoever holds it otherwise', async () => {
    await table.acquire('a', 1_000);
    expect(await table.renew('a', 5_000)).toEqual({ ok: true });
    expect(await redis.pttl(table.key)).toBeGreaterThan(1_000);
    expect(await table.renew('b', 5_000)).toEqual({ ok: false, holder: 'a' });
    await redis.set(table.key, 'c', 'PX', 5_000);
    expect(await table.renew('a', 5_000)).toEqual({ ok: false, holder: 'c' });
    await redis.del(table.key);
    expect(await table.renew('a', 5_000)).toEqual({ ok: false, holder: null });
    // A renewal never re-creates a lock that expired.
    expect(await redis.exists(table.key)).toBe(0);
  });

  it('release: deletes the lock only for its owner', async () => {
    await table.acquire('a', 5_000);
    expect(await table.release('b')).toBe(false);
    expect(await redis.get(table.key)).toBe('a');
    expect(await table.release('a')).toBe(true);
    expect(await redis.exists(table.key)).toBe(0);
    expect(await table.release('a')).toBe(false);
  });

  it('admitEngine: registers the engine until now + ttl unless a --role all holds the lock', async () => {
    await table.acquire('a', 5_000);
    expect(await table.admitEngine('e1', 5_000)).toEqual({ ok: false, blocker: { role: 'all', ids: ['a'] } });
    expect(await redis.zcard(table.membersKey)).toBe(0);
    await table.release('a');
    expect(await table.admitEngine('e1', 5_000)).toEqual({ ok: true });
    const now = Number((await redis.time())[0]) * 1000;
    const score = Number(await redis.zscore(table.membersKey, 'e1'));
    expect(score).toBeGreaterThan(now + 3_000);
    expect(score).toBeLessThanOrEqual(now + 6_000);
  });

  function lock(id: string, lost: (string | null)[] = []): AllRoleLock {
    const l = new AllRoleLock(table, LEASE, { log, onLost: (h) => void lost.push(h) }, { id });
    locks.push(l);
    return l;
  }

  it('GIVEN a lock held by a live process WHEN another tries THEN it waits one ttl plus one renew period, logs that once, and refuses naming the holder and the prefix', async () => {
    await redis.set(table.key, 'other-1', 'PX', 60_000);
    const t0 = Date.now();
    const err = await lock('me')
      .acquire()
      .then(() => null, (e: unknown) => e);
    const waited = Date.now() - t0;
    expect(err).toBeInstanceOf(RoleConflictError);
    expect((err as Error).message).toBe(`another tickwatch --role all is running against this Redis prefix (${prefix}): other-1; stop it, or give this one another store.prefix`);
    expect(waited).toBeGreaterThanOrEqual(handoverBoundMs(LEASE));
    expect(waited).toBeLessThan(handoverBoundMs(LEASE) + SCHEDULING_SLACK_MS);
    const waits = lines.filter((l) => l.includes('waiting up to'));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toContain('other-1');
    expect(await redis.get(table.key)).toBe('other-1');
  });

  it('GIVEN the lock of a crashed process WHEN another starts THEN it takes the lock once it expires', async () => {
    await redis.set(table.key, 'crashed-1', 'PX', LEASE.ttlMs);
    const l = lock('me');
    await l.acquire();
    expect(await redis.get(table.key)).toBe('me');
    expect(l.holds()).toBe(true);
  });

  it('GIVEN a held lock THEN it is renewed past its time to live, and a clean release deletes it', async () => {
    const l = lock('me');
    await l.acquire();
    await sleep(2 * LEASE.ttlMs);
    expect(await redis.get(table.key)).toBe('me');
    expect(l.holds()).toBe(true);
    await l.release();
    expect(l.holds()).toBe(false);
    expect(await redis.exists(table.key)).toBe(0);
  });

  it('GIVEN a held lock WHEN another owner takes the key THEN the renewal reports it lost once, holds() turns false and release leaves the key alone', async () => {
    const lost: (string | null)[] = [];
    const l = lock('me', lost);
    await l.acquire();
    await redis.set(table.key, 'intruder', 'PX', 60_000);
    await until(() => lost.length > 0, 'the lock reported lost', LEASE.renewMs + SCHEDULING_SLACK_MS);
    expect(lost).toEqual(['intruder']);
    expect(l.holds()).toBe(false);
    await sleep(3 * LEASE.renewMs);
    expect(lost).toHaveLength(1);
    await l.release();
    expect(await redis.get(table.key)).toBe('intruder');
  });

  it('GIVEN a running --role all WHEN an engine starts THEN it waits the same bound and refuses; once the lock is gone it is admitted and its membership kept alive', async () => {
    const l = lock('all-1');
    await l.acquire();
    const onError = (err: unknown) => {
      throw err;
    };
    const err = await admitEngine(table, leases, { id: 'e1', lease: LEASE, log, onError }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RoleConflictError);
    expect((err as Error).message).toContain(`a tickwatch --role all is running against this Redis prefix (${prefix}): all-1;`);
    expect(await redis.zcard(table.membersKey)).toBe(0);

    await l.release();
    const admission = await admitEngine(table, leases, { id: 'e1', lease: LEASE, log, onError });
    try {
      // Past the membership's own time to live, it is still live: no --role all can start.
      await sleep(2 * LEASE.ttlMs);
      expect(await table.acquire('all-2', LEASE.ttlMs)).toEqual({ ok: false, blocker: { role: 'engine', ids: ['e1'] } });
    } finally {
      admission.handOver();
    }
  });
});
