/**
 * Durable work queues (render, deliver). Two implementations share these semantics: BullMQ on
 * Redis, and an in-process queue for embedded mode.
 *
 * What a handler's outcome means:
 * - returns: done;
 * - throws TemporaryError with retryAfterMs: the job waits that long and runs again without
 *   spending an attempt (a platform's "retry after N s", or a rate-limit slot), up to
 *   MAX_DEFERRALS times;
 * - throws PermanentError: no retry, the job becomes a dead letter at once;
 * - throws anything else: retried with exponential backoff until `attempts` are spent, then a
 *   dead letter.
 */

/** Rate-limit waits and platform "retry after" answers a job may take before they count as attempts. */
export const MAX_DEFERRALS = 50;

export interface JobSpec<T> {
  /** Deterministic id: adding an id that exists is a no-op. Letters, digits, `.`, `_`, `-` only. */
  id: string;
  data: T;
  delayMs?: number | undefined;
}

export interface QueueOptions {
  /** Runs of a failing job, the first included. */
  attempts: number;
  /** First retry delay; it doubles on every further attempt. */
  backoffMs: number;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

export interface DeadLetter {
  queue: string;
  id: string;
  data: unknown;
  error: string;
  attempts: number;
  failedAt: number;
}

export interface JobQueue<T> {
  readonly name: string;
  /** Adding an id that already exists (waiting, running, or recently finished) does nothing. */
  add(job: JobSpec<T>): Promise<void>;
  addBulk(jobs: readonly JobSpec<T>[]): Promise<void>;
  counts(): Promise<QueueCounts>;
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /** Puts a dead letter back in the queue with fresh attempts. */
  retryDeadLetter(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface Job<T> {
  readonly id: string;
  readonly data: T;
  /** 1 on the first run; rises only when a run failed (deferrals do not count). */
  readonly attempt: number;
  readonly attempts: number;
  /** Deferrals so far (TemporaryError with retryAfterMs). */
  readonly deferrals: number;
  /** Replaces the job's data (kept across runs), e.g. to remember a reserved rate-limit slot. */
  updateData(data: T): Promise<void>;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface Rate {
  max: number;
  perMs: number;
}

export interface WorkerOptions {
  concurrency: number;
  /** Jobs started per period across every worker of the queue. */
  limiter?: Rate | undefined;
  /** Called once when a job becomes a dead letter. */
  onDeadLetter?: ((job: Job<unknown>, err: unknown) => void) | undefined;
  /** Called for errors the worker contains (a handler failure that will be retried included). */
  onError?: ((err: unknown, context: string) => void) | undefined;
  /**
   * A job whose worker stopped answering (crashed, killed) for this long runs again elsewhere.
   * Durable queues only; shorter means faster recovery and more lock renewals.
   */
  stallAfterMs?: number | undefined;
}

export interface QueueWorker {
  close(): Promise<void>;
}

/** Where queues come from: BullMQ on Redis, or in-process. */
export interface QueueBackend {
  readonly kind: string;
  queue<T>(name: string, opts: QueueOptions): JobQueue<T>;
  work<T>(name: string, opts: QueueOptions, handler: JobHandler<T>, worker: WorkerOptions): QueueWorker;
  close(): Promise<void>;
}

/**
 * Shared rate limits (per chat, per group): reserve the next free slot under a key. The slot is
 * taken even when it lies in the future, so that waiting jobs queue up in order instead of
 * racing for the next free moment.
 */
export interface RateLimiter {
  /** Milliseconds until the reserved slot (0: go now). */
  reserve(key: string, rate: Rate, now: number): Promise<number>;
}
