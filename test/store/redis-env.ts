import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../src/store/redis-client.js';

/** Test Redis: REDIS_URL or the machine's Redis at 127.0.0.1:6379 (CI runs one there too). */
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses. */
export function randomPrefix(area: string): string {
  return `twtest:${area}:${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix, on every master of a cluster. */
export async function deleteKeys(client: RedisClient, prefix: string): Promise<number> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client as Redis];
  let n = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) n += await node.del(k);
    } while (cursor !== '0');
  }
  return n;
}
