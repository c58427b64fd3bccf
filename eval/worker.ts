/** Worker thread: runs eval jobs sent by the pool, one at a time. */
import { parentPort } from 'node:worker_threads';
import { runJob, transferables, type Job } from './jobs.js';

if (!parentPort) throw new Error('eval/worker runs as a worker thread (see eval/pool.ts)');
const port = parentPort;
port.on('message', (job: Job) => {
  runJob(job).then(
    (r) => port.postMessage({ ok: true, result: r }, transferables(r)),
    (err: unknown) => port.postMessage({ ok: false, id: job.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
