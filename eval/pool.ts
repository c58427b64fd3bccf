import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runJob, type Job, type JobResult } from './jobs.js';

/**
 * The worker runs as the same kind of file as this module: .js once built; .ts under tsx, whose
 * loader Node 20 does not pass on to worker threads, so the worker registers it first.
 */
function startWorker(): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(url);
  const api = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true });
}

type Reply = { ok: true; result: JobResult } | { ok: false; id: number; error: string };

/**
 * Runs jobs on `workers` worker threads, longest first as given; 0 runs them in this thread, one
 * after another. A failed job fails the whole run with the job's own error.
 */
export async function runJobs(jobs: readonly Job[], workers: number, onDone?: (r: JobResult) => void): Promise<JobResult[]> {
  const results: JobResult[] = [];
  if (workers <= 0 || jobs.length === 0) {
    for (const j of jobs) {
      const r = await runJob(j);
      results.push(r);
      onDone?.(r);
    }
    return results;
  }
  const queue = [...jobs];
  const pool = Array.from({ length: Math.min(workers, jobs.length) }, () => startWorker());
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const job = queue.shift();
              if (!job) return resolve();
              w.postMessage(job);
            };
            w.on('message', (m: Reply) => {
              if (!m.ok) return reject(new Error(`eval job ${m.id} failed: ${m.error}`));
              results.push(m.result);
              onDone?.(m.result);
              next();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (queue.length > 0 || code !== 0) reject(new Error(`eval worker exited with code ${code}`));
            });
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
