import { DelayedError, Queue, UnrecoverableError, Worker, type Job as BullJob, type JobsOptions } from 'bullmq';
import type {
  DeadLetter,
  Job,
  JobHandler,
  JobQueue,
  JobSpec,
  QueueBackend,
  QueueOptions,
  QueueWorker,
  WorkerOptions,
} from '../engine/ports/queue.js';
import { checkPrefix, connectRedis, type RedisClient, type RedisConnection } from '../store/redis-client.js';
import { checkJobId, checkQueueName, failureOutcome } from './outcome.js';
import { FINISHED_RETENTION } from './retention.js';

/** BullMQ's default lock (and stalled-check) period: a killed worker's job runs again after it. */
const DEFAULT_STALL_AFTER_MS = 30_000;
/**
 * Times a job may be picked up again after its worker died before it counts as failed. A poison
 * job that kills its worker every time ends as a dead letter instead of looping.
 */
const MAX_STALLED_RESTARTS = 3;

function keep(k: { ageMs: number; count: number }): { age: number; count: number } {
  return { age: Math.round(k.ageMs / 1000), count: k.count };
}

/**
 * A queue's default job options. Retention of finished jobs is not among them: every worker of
 * this backend sets it (BullMQ applies the worker's when a job names none), which keeps it out of
 * every job's stored options and shortens adds.
 */
function jobOptions(opts: QueueOptions): JobsOptions {
  return { attempts: opts.attempts, backoff: { type: 'exponential', delay: opts.backoffMs } };
}

export interface BullQueueBackendOptions {
  /** Deployment key prefix (as for the store); queues live under `<prefix>:{q}`. */
  prefix?: string | undefined;
  onError?: ((err: unknown, context: string) => void) | undefined;
}

/**
 * Queues on BullMQ. Every queue's keys carry the `{q}` hash tag, which BullMQ needs on Redis
 * Cluster (each of its scripts touches many keys of one queue). A handler's outcome maps onto
 * BullMQ: deferral = moveToDelayed + DelayedError (no attempt spent), dead letter =
 * UnrecoverableError (no retries), anything else = BullMQ's own exponential backoff.
 */
export class BullQueueBackend implements QueueBackend {
  readonly kind = 'bullmq';
  readonly prefix: string;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Set<Worker>();

  constructor(
    private readonly connection: RedisClient,
    private readonly opts: BullQueueBackendOptions = {},
    private readonly owned = false,
  ) {
    this.prefix = `${checkPrefix(opts.prefix ?? 'tw')}:{q}`;
  }

  /** Connects its own client; close() quits it. */
  static connect(conn: RedisConnection, opts: BullQueueBackendOptions = {}): BullQueueBackend {
    return new BullQueueBackend(connectRedis(conn), opts, true);
  }

  queue<T>(name: string, opts: QueueOptions): JobQueue<T> {
    const q = this.bullQueue(name, opts);
    // Each job carries this handle's attempts and backoff (a queue's defaults are those of its first handle).
    const base = jobOptions(opts);
    const add = (j: JobSpec<T>) => ({ name, data: j.data, opts: { ...base, jobId: checkJobId(j.id), ...(j.delayMs ? { delay: j.delayMs } : {}) } });
    return {
      name,
      add: async (job) => {
        const j = add(job);
        await q.add(j.name, j.data, j.opts);
      },
      addBulk: async (jobs) => {
        if (jobs.length) await q.addBulk(jobs.map(add));
      },
      counts: async () => {
        const c = await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
        return {
          waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
          active: c['active'] ?? 0,
          delayed: c['delayed'] ?? 0,
          completed: c['completed'] ?? 0,
          failed: c['failed'] ?? 0,
        };
      },
      deadLetters: async (limit) => (await q.getFailed(0, Math.max(0, limit - 1))).filter(Boolean).map((j) => deadLetter(name, j as BullJob)),
      retryDeadLetter: async (id) => {
        const j = await q.getJob(id);
        if (!j || !(await j.isFailed())) return false;
        await j.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return true;
      },
      close: async () => {},
    };
  }

  work<T>(name: string, opts: QueueOptions, handler: JobHandler<T>, wopts: WorkerOptions): QueueWorker {
    checkQueueName(name);
    const stallMs = wopts.stallAfterMs ?? DEFAULT_STALL_AFTER_MS;
    const worker = new Worker<T>(
      name,
      async (bj, token) => {
        const deferrals = Math.max(0, bj.attemptsStarted - 1 - bj.attemptsMade);
        const job: Job<T> = {
          id: bj.id as string,
          data: bj.data,
          attempt: bj.attemptsMade + 1,
          attempts: opts.attempts,
          deferrals,
          updateData: (data) => bj.updateData(data),
        };
        try {
          await handler(job);
        } catch (err) {
          const o = failureOutcome(err, bj.attemptsMade, deferrals, opts);
          if (o.action === 'defer') {
            await bj.moveToDelayed(Date.now() + o.delayMs, token);
            throw new DelayedError();
          }
          wopts.onError?.(err, `${name} job ${job.id}`);
          if (o.action === 'dead') {
            wopts.onDeadLetter?.(job as Job<unknown>, err);
            throw new UnrecoverableError(o.reason);
          }
          throw err;
        }
      },
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: wopts.concurrency,
        ...(wopts.limiter ? { limiter: { max: wopts.limiter.max, duration: wopts.limiter.perMs } } : {}),
        lockDuration: stallMs,
        stalledInterval: stallMs,
        maxStalledCount: MAX_STALLED_RESTARTS,
        removeOnComplete: keep(FINISHED_RETENTION.completed),
        removeOnFail: keep(FINISHED_RETENTION.failed),
      },
    );
    worker.on('error', (err) => (wopts.onError ?? this.opts.onError)?.(err, `${name} worker`));
    this.workers.add(worker);
    return {
      close: async () => {
        this.workers.delete(worker);
        await worker.close();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()));
    this.workers.clear();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    if (this.owned) await this.connection.quit();
  }

  private bullQueue(name: string, opts: QueueOptions): Queue {
    checkQueueName(name);
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: jobOptions(opts) });
      q.on('error', (err) => this.opts.onError?.(err, `${name} queue`));
      this.queues.set(name, q);
    }
    return q;
  }
}

function deadLetter(queue: string, j: BullJob): DeadLetter {
  return {
    queue,
    id: j.id as string,
    data: j.data,
    error: j.failedReason ?? '',
    attempts: j.attemptsMade,
    failedAt: j.finishedOn ?? 0,
  };
}
