import type { Trainer } from './ports/trainer.js';

/** Runs each job at once: deterministic, for replays and tests. */
export class InlineTrainer implements Trainer {
  schedule(job: () => void): void {
    job();
  }
}

/** Most time one turn of the background trainer may take before yielding to I/O. */
export const TRAINER_SLICE_MS = 8;
/** Jobs waiting beyond this are dropped oldest first (a detector simply keeps its current model). */
export const TRAINER_MAX_QUEUE = 10_000;

/**
 * Runs jobs off the tick path: queued, and drained in slices of at most TRAINER_SLICE_MS between
 * I/O turns (setImmediate), so that feeds and chat are never starved by model training.
 */
export class BackgroundTrainer implements Trainer {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;
  dropped = 0;
  failed = 0;

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  get pending(): number {
    return this.queue.length;
  }

  schedule(job: () => void): void {
    if (this.queue.length >= TRAINER_MAX_QUEUE) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(job);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const until = performance.now() + TRAINER_SLICE_MS;
    while (this.queue.length > 0 && performance.now() < until) {
      const job = this.queue.shift()!;
      try {
        job();
      } catch (err) {
        this.failed++;
        this.onError(err);
      }
    }
    if (this.queue.length > 0) setImmediate(this.drain);
    else this.scheduled = false;
  };
}
