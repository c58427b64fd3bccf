import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real `tickwatch run` processes for the app tests: spawned from the sources (so a test never
 * depends on a stale build), their output collected, waited on, and killed at the end.
 */

export const ROOT = join(import.meta.dirname, '../..');
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function runTickwatch(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const code = `import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}).then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); })`;
  return spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Proc {
  name: string;
  /** Killed on purpose by the test (or expected to exit): `until` does not fail on its exit. */
  killed?: boolean;
  child: ChildProcess;
  out: string;
  err: string;
}

/** Spawns `tickwatch <args>` and collects its stdout and stderr. */
export function startTickwatch(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const p: Proc = { name, child: runTickwatch(args, env), out: '', err: '' };
  p.child.stdout!.on('data', (c: Buffer) => (p.out += c.toString()));
  p.child.stderr!.on('data', (c: Buffer) => (p.err += c.toString()));
  return p;
}

export function running(p: Proc): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** The process's exit code (null: killed by a signal), once it has exited. */
export function exited(p: Proc): Promise<number | null> {
  if (!running(p)) return Promise.resolve(p.child.exitCode);
  return new Promise((r) => p.child.once('exit', (code) => r(code)));
}

/**
 * Polls `get` until it answers something truthy; fails after `ms`, or as soon as one of `procs`
 * not marked `killed` exits, with the end of every process's log.
 */
export async function until<T>(get: () => T | Promise<T>, what: string, ms: number, procs: readonly Proc[] = []): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await get();
    if (v) return v as NonNullable<T>;
    const dead = procs.find((p) => !p.killed && !running(p));
    if (dead || Date.now() - t0 > ms) {
      if (dead) what = `${what}, but ${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode})`;
      const logs = procs.map((p) => `--- ${p.name} ---\n${p.err.split('\n').slice(-25).join('\n')}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await sleep(50);
  }
}

/** SIGKILLs every process still running and waits for them to be gone. */
export async function killAll(procs: readonly Proc[]): Promise<void> {
  for (const p of procs) if (running(p)) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => exited(p)));
}

/**
 * Writes `config.yaml` into `dir` with what every app test's config starts with (the fake binance
 * venue and its symbols, the store prefix when given, the alerts folder, any free HTTP port),
 * followed by the test's own lines; returns its path.
 */
export function writeAppConfig(dir: string, o: { venue: { wsUrl: string; restUrl: string }; symbols: readonly string[]; prefix?: string; lines: readonly string[] }): string {
  const path = join(dir, 'config.yaml');
  const head = ['exchanges:', '  binance:', `    symbols: [${o.symbols.join(', ')}]`, `    wsUrl: ${o.venue.wsUrl}`, `    restUrl: ${o.venue.restUrl}`];
  const store = o.prefix === undefined ? [] : ['store:', `  prefix: ${o.prefix}`];
  writeFileSync(path, [...head, ...store, 'alerts:', `  dir: ${join(dir, 'alerts')}`, 'http:', '  port: 0', ...o.lines].join('\n'));
  return path;
}
