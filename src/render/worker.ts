/** A RenderPool worker thread: one renderer, jobs one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { serveRenderJobs } from './protocol.js';
import { ChartRenderer } from './renderer.js';

if (!parentPort) throw new Error('src/render/worker runs as a worker thread of RenderPool');
const data = (workerData ?? {}) as { fontDir?: string };
serveRenderJobs(parentPort, new ChartRenderer({ fontDir: data.fontDir }));
