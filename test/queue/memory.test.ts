import { InProcessQueueBackend } from '../../src/queue/memory.js';
import { queueConformance } from './conformance.js';

queueConformance('in-process', async () => ({ backend: new InProcessQueueBackend(), cleanup: async () => {} }));
