import { MemoryStore } from '../../src/store/memory.js';
import { storeConformance } from './conformance.js';

storeConformance('memory', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
