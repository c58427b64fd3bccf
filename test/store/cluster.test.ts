import { RedisStore } from '../../src/store/redis.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { storeConformance } from './conformance.js';
import { startCluster } from './redis-servers.js';

// The same contract on a three-node Redis Cluster started for this file: every multi-key script
// must stay within one hash slot or Redis answers CROSSSLOT.
storeConformance('redis cluster', async () => {
  const cluster = await startCluster();
  const client = connectRedis({ url: cluster.url, cluster: true });
  return {
    store: new RedisStore(client, { prefix: 'twcluster' }),
    cleanup: async () => {
      await client.quit();
      await cluster.stop();
    },
  };
});
