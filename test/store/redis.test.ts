import { RedisStore } from '../../src/store/redis.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { storeConformance } from './conformance.js';
import { deleteKeys, randomPrefix, TEST_REDIS_URL } from './redis-env.js';

storeConformance('redis', async () => {
  const client = connectRedis({ url: TEST_REDIS_URL });
  const prefix = randomPrefix('store');
  return {
    store: new RedisStore(client, { prefix }),
    cleanup: async () => {
      await deleteKeys(client, `${prefix}:`);
      await client.quit();
    },
  };
});
