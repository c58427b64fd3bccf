import { BullQueueBackend } from '../../src/queue/bullmq.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { deleteKeys, randomPrefix, TEST_REDIS_URL } from '../store/redis-env.js';
import { queueConformance } from './conformance.js';

queueConformance('bullmq', async () => {
  const client = connectRedis({ url: TEST_REDIS_URL });
  const prefix = randomPrefix('queue');
  return {
    backend: new BullQueueBackend(client, { prefix }),
    cleanup: async () => {
      await deleteKeys(client, `${prefix}:`);
      await client.quit();
    },
  };
});
