import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A standalone Redis or a Redis Cluster: the store and the queues work on both. */
export type RedisClient = Redis | Cluster;

export interface RedisConnection {
  /** `redis://[user:pass@]host:port[/db]`, `rediss://` for TLS; for a cluster, any one node or a comma-separated list. */
  url: string;
  /** Connect as a Redis Cluster client (the url names seed nodes). */
  cluster?: boolean | undefined;
}

/**
 * Commands wait through a reconnect instead of failing (maxRetriesPerRequest null): an alert
 * enqueued while Redis restarts is sent when it is back, not lost. BullMQ workers require it too.
 */
const CLIENT_OPTIONS: RedisOptions = { maxRetriesPerRequest: null };

/** Opens a client; the caller owns it (quit it on shutdown). */
export function connectRedis(conn: RedisConnection, extra: RedisOptions = {}): RedisClient {
  const options = { ...CLIENT_OPTIONS, ...extra };
  if (!conn.cluster) return new Redis(conn.url, options);
  const nodes = clusterSeeds(conn.url);
  const auth = nodes[0]?.auth ?? {};
  return new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    { redisOptions: { ...options, ...auth, ...(nodes[0]?.tls ? { tls: {} } : {}) } },
  );
}

interface Seed {
  host: string;
  port: number;
  tls: boolean;
  auth: { username?: string; password?: string };
}

/** `redis://a:7000,b:7001` or `redis://a:7000,redis://b:7001` to seed nodes. */
export function clusterSeeds(url: string): Seed[] {
  const m = /^(rediss?):\/\/(?:([^@/]*)@)?(.+)$/.exec(url.trim());
  if (!m) throw new Error(`not a redis url: ${url.replace(/\/\/[^@]*@/, '//***@')}`);
  const tls = m[1] === 'rediss';
  const auth: Seed['auth'] = {};
  if (m[2]) {
    const [user, pass] = m[2].split(':');
    if (pass !== undefined) {
      if (user) auth.username = decodeURIComponent(user);
      auth.password = decodeURIComponent(pass);
    } else if (user) auth.password = decodeURIComponent(user);
  }
  return (m[3] ?? '').split(',').map((part) => {
    const hostPort = part.replace(/^rediss?:\/\//, '').replace(/\/.*$/, '');
    const i = hostPort.lastIndexOf(':');
    const host = i > 0 ? hostPort.slice(0, i) : hostPort;
    const port = i > 0 ? Number(hostPort.slice(i + 1)) : 6379;
    if (!host || !Number.isInteger(port)) throw new Error(`bad cluster node in redis url: ${hostPort}`);
    return { host, port, tls, auth };
  });
}

/** Keys of one deployment begin with `<prefix>:`; braces are hash tags, so the prefix may not hold any. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_.-][A-Za-z0-9_.:-]*$/.test(prefix)) {
    throw new Error(`bad key prefix "${prefix}": use letters, digits, '.', '_', '-' and ':' (no braces)`);
  }
  return prefix;
}

/**
 * Script runner over ioredis defineCommand (EVALSHA with a NOSCRIPT fallback, cluster-aware).
 * `keys: -1` declares a script that takes any number of keys.
 */
export class LuaScripts<N extends string> {
  private readonly names = new Map<N, { cmd: string; dynamic: boolean }>();

  constructor(
    private readonly client: RedisClient,
    namespace: string,
    defs: Record<N, { keys: number; lua: string }>,
  ) {
    for (const [name, def] of Object.entries(defs) as [N, { keys: number; lua: string }][]) {
      const cmd = `${namespace}_${name}`;
      const dynamic = def.keys < 0;
      client.defineCommand(cmd, dynamic ? { lua: def.lua } : { numberOfKeys: def.keys, lua: def.lua });
      this.names.set(name, { cmd, dynamic });
    }
  }

  run(name: N, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const { cmd, dynamic } = this.names.get(name) as { cmd: string; dynamic: boolean };
    const fn = (this.client as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[cmd] as (
      ...a: (string | number)[]
    ) => Promise<unknown>;
    return dynamic ? fn.call(this.client, keys.length, ...keys, ...args) : fn.call(this.client, ...keys, ...args);
  }
}

export function toBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
