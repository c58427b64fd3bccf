import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** A cluster node's bus listens on port + 10000. */
const CLUSTER_BUS_OFFSET = 10_000;

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Ports (and their cluster bus ports) that nothing listens on, away from the ephemeral range. */
async function freePorts(n: number): Promise<number[]> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = Array.from({ length: n }, (_, i) => base + i);
    let ok = true;
    for (const p of ports) ok = ok && (await portFree(p)) && (await portFree(p + CLUSTER_BUS_OFFSET));
    if (ok) return ports;
  }
  throw new Error('no free ports for test redis servers');
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      c.disconnect();
      return;
    } catch (err) {
      c.disconnect();
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export interface TestRedisServer {
  port: number;
  url: string;
  dir: string;
  /** Stops the server (SIGTERM: with AOF on, it writes what it holds first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

function startProcess(args: string[]): ChildProcess {
  const p = spawn('redis-server', args, { stdio: 'ignore' });
  p.unref();
  return p;
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  });
}

/** One redis-server on a free port with AOF persistence in its own directory. */
export async function startRedisServer(): Promise<TestRedisServer> {
  const [port] = (await freePorts(1)) as [number];
  const dir = await mkdtemp(join(tmpdir(), 'tw-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir];
  let proc = startProcess(args);
  await waitForPing(port);
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopProcess(proc);
    },
    async restart() {
      await stopProcess(proc);
      proc = startProcess(args);
      await waitForPing(port);
    },
    async destroy() {
      await stopProcess(proc);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestCluster {
  ports: number[];
  /** Seed url for connectRedis({ url, cluster: true }). */
  url: string;
  stop(): Promise<void>;
}

/** Three masters on loopback, no replicas, no persistence (see TESTING.md). */
export async function startCluster(): Promise<TestCluster> {
  const ports = await freePorts(3);
  const dir = await mkdtemp(join(tmpdir(), 'tw-cluster-'));
  const procs = ports.map((port) =>
    startProcess([
      '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
      '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--save', '', '--appendonly', 'no', '--dir', dir,
    ]),
  );
  const stop = async () => {
    await Promise.all(procs.map(stopProcess));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map(waitForPing));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 15_000;
    for (const port of ports) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${port} not ready: ${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, url: `redis://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, stop };
}
