import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoverBoundMs } from '../../src/ops/leases.js';
import { AllLockTable } from '../../src/ops/singleton.js';
import { calmTrades, startFakeExchange, type FakeExchange } from '../fakes/exchanges/index.js';
import { REDIS_URL, exited, killAll, running, startTickwatch, until, writeAppConfig, type Proc } from './processes.js';

/**
 * One `tickwatch run --role all` per Redis prefix, for real: a second `--role all` and a
 * `--role engine` beside a running one refuse to start (exit code 2, naming its id); after the
 * first is SIGKILLed a new one takes over within the lock's bound; a process that loses the lock
 * stops and exits non-zero.
 */

/**
 * Short lock times so that the test runs in seconds (the docs give the defaults, 10 s and 2 s), but
 * not so short that a process starved of CPU for a few seconds while the other test files load two
 * cores (its start, ccxt loading the venue's markets) loses its own lock.
 */
const LEASE = { ttlMs: 6_000, renewMs: 1_000 };
/**
 * What a take-over may need beyond the bound: the new process is spawned at the kill, so its
 * start (node, the TypeScript loader, the product's modules) and timers firing late on a loaded
 * machine count too.
 */
const START_SLACK_MS = 6_000;
const SYMBOL = 'BTC/USDT';

describe('--role all is alone on its Redis prefix (real processes)', () => {
  const prefix = `twsingle${Math.random().toString(36).slice(2, 8)}`;
  const redis = new Redis(REDIS_URL);
  const lock = new AllLockTable(redis, prefix);
  const procs: Proc[] = [];
  let venue: FakeExchange;
  let dir: string;
  let first: Proc;
  let firstId: string;

  function start(name: string, role: string): Proc {
    const p = startTickwatch(name, ['run', '--config', join(dir, 'config.yaml'), '--role', role], { REDIS_URL, TELEGRAM_BOT_TOKEN: '', DISCORD_TOKEN: '' });
    procs.push(p);
    return p;
  }
  /** The lock's holder once it is the given process (ids are `host-pid-random`). */
  const heldBy = async (p: Proc) => {
    const id = await lock.holder();
    return id?.startsWith(`${hostname()}-${p.child.pid}-`) ? id : null;
  };
  const refusal = (id: string) => `another tickwatch --role all is running against this Redis prefix (${prefix}): ${id}; stop it, or give this one another store.prefix`;

  beforeAll(async () => {
    venue = await startFakeExchange('binance');
    const now = Date.now();
    venue.addHistory(SYMBOL, calmTrades({ start: now - 16 * 60_000, seconds: 16 * 60 - 1, price: 60_000, rate: 3, seed: 5 }));
    dir = mkdtempSync(join(tmpdir(), 'tw-single-'));
    writeAppConfig(dir, {
      venue,
      symbols: [SYMBOL], prefix,
      lines: [
        'cluster:',
        `  leaseTtlMs: ${LEASE.ttlMs}`,
        `  renewMs: ${LEASE.renewMs}`,
        'log:',
        '  level: info',
      ],
    });
    first = start('all-1', 'all');
    firstId = await until(() => heldBy(first), 'the first --role all holding the lock', 30_000, procs);
    await until(() => first.err.includes('"msg":"tickwatch running"'), 'the first --role all running', 30_000, procs);
  }, 60_000);

  afterAll(async () => {
    await killAll(procs);
    await venue?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('GIVEN a running --role all WHEN a second --role all and a --role engine start on its prefix THEN both exit 2 naming its id, and the first keeps running', async () => {
    const second = start('all-2', 'all');
    const engine = start('engine', 'engine');
    second.killed = engine.killed = true;
    const [secondCode, engineCode] = await Promise.all([exited(second), exited(engine)]);

    expect(secondCode, second.err).toBe(2);
    expect(second.err).toContain(`tickwatch: ${refusal(firstId)}\n`);
    // It waited for the lock to expire (the first could have crashed), said so once, then refused.
    expect(second.err.match(/"msg":"waiting up to \d+ ms for the --role all lock held by [^"]+ to expire/g)).toHaveLength(1);
    expect(second.err).toContain(`"waitMs":${handoverBoundMs(LEASE)}`);
    // Nothing was started before the refusal.
    expect(second.err).not.toContain('http: dashboard');
    expect(second.err).not.toContain('"msg":"tickwatch running"');

    expect(engineCode, engine.err).toBe(2);
    expect(engine.err).toContain(`tickwatch: a tickwatch --role all is running against this Redis prefix (${prefix}): ${firstId}; --role engine cannot run beside it: stop it, or give this one another store.prefix\n`);
    expect(engine.err).not.toContain('tickwatch engine running');
    expect(await redis.zcard(lock.membersKey)).toBe(0);

    expect(running(first)).toBe(true);
    expect(await lock.holder()).toBe(firstId);
  }, 60_000);

  let third: Proc;

  it('GIVEN the running --role all is SIGKILLed WHEN a new --role all starts THEN it holds the lock within ttl + renew (plus its own start) and runs', async () => {
    first.killed = true;
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    third = start('all-3', 'all');
    await until(() => heldBy(third), 'the new --role all holding the lock', handoverBoundMs(LEASE) + START_SLACK_MS + 10_000, procs);
    const took = Date.now() - killedAt;
    console.log(`--role all take-over after SIGKILL: ${took} ms (bound leaseTtlMs + renewMs = ${handoverBoundMs(LEASE)} ms, plus the process start)`);
    expect(took).toBeLessThan(handoverBoundMs(LEASE) + START_SLACK_MS);
    await until(() => third.err.includes('"msg":"tickwatch running"'), 'the new --role all running', 30_000, procs);
  }, 60_000);

  it('GIVEN a running --role all WHEN another owner takes its lock THEN it logs an error, stops cleanly and exits non-zero, leaving the lock alone', async () => {
    third.killed = true;
    await redis.set(lock.key, 'intruder', 'PX', 60_000);
    const code = await exited(third);
    expect(code, third.err).toBe(1);
    expect(third.err).toMatch(/"level":50[^\n]*"msg":"the --role all lock of this Redis prefix is held by intruder: this process stops alerting and exits"/);
    expect(third.err).toContain('"msg":"stopped"');
    expect(await lock.holder()).toBe('intruder');
  }, 30_000);
});
