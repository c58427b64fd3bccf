import { BullQueueBackend } from '../../src/queue/bullmq.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { startCluster } from '../store/redis-servers.js';
import { queueConformance } from './conformance.js';

// BullMQ on a three-node Redis Cluster started for this file: the `{q}` hash tag in the prefix
// keeps each queue's keys in one slot, as BullMQ's scripts require.
queueConformance('bullmq on redis cluster', async () => {
  const cluster = await startCluster();
  const client = connectRedis({ url: cluster.url, cluster: true });
  return {
    backend: new BullQueueBackend(client, { prefix: 'twcluster' }),
    cleanup: async () => {
      await client.quit();
      await cluster.stop();
    },
  };
});
