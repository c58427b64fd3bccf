import type {
  DeadLetter,
  Job,
  JobHandler,
  JobQueue,
  JobSpec,
  QueueBackend,
  QueueCounts,
  QueueOptions,
  QueueWorker,
  Rate,
  WorkerOptions,
} from '../engine/ports/queue.js';
import { checkJobId, checkQueueName, failureOutcome } from './outcome.js';
import { FINISHED_RETENTION } from './retention.js';

type State = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

interface Rec {
  id: string;
  data: unknown;
  attemptsMade: number;
  deferrals: number;
  state: State;
  runAt: number;
  error?: string;
  finishedAt?: number;
}

interface WorkerState {
  handler: JobHandler<unknown>;
  opts: WorkerOptions;
  active: Set<Promise<void>>;
  closed: boolean;
}

/** Min-heap of delayed jobs by run time. */
class DelayHeap {
  private readonly a: Rec[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Rec | undefined {
    return this.a[0];
  }
  push(r: Rec): void {
    const a = this.a;
    a.push(r);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as Rec).runAt <= r.runAt) break;
      a[i] = a[p] as Rec;
      i = p;
    }
    a[i] = r;
  }
  pop(): Rec | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && (a[l + 1] as Rec).runAt < (a[l] as Rec).runAt ? l + 1 : l;
        if ((a[c] as Rec).runAt >= last.runAt) break;
        a[i] = a[c] as Rec;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** One named queue held in memory: jobs, their order, the workers draining it. */
class Lane {
  readonly jobs = new Map<string, Rec>();
  private waiting: Rec[] = [];
  private head = 0;
  private readonly delayed = new DelayHeap();
  private readonly completedOrder: Rec[] = [];
  private readonly failedOrder: Rec[] = [];
  readonly workers: WorkerState[] = [];
  private limiter: Rate | undefined;
  private windowStart = 0;
  private windowCount = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    readonly name: string,
    readonly opts: QueueOptions,
  ) {}

  add(spec: JobSpec<unknown>): void {
    checkJobId(spec.id);
    if (this.closed || this.jobs.has(spec.id)) return;
    const now = Date.now();
    const r: Rec = { id: spec.id, data: spec.data, attemptsMade: 0, deferrals: 0, state: 'waiting', runAt: now };
    this.jobs.set(r.id, r);
    if (spec.delayMs && spec.delayMs > 0) this.delay(r, now + spec.delayMs);
    else this.waiting.push(r);
    this.pump();
  }

  counts(): QueueCounts {
    let active = 0;
    for (const w of this.workers) active += w.active.size;
    return {
      waiting: this.waiting.length - this.head,
      active,
      delayed: this.delayed.size,
      completed: this.completedOrder.length,
      failed: this.failedOrder.length,
    };
  }

  deadLetters(limit: number): DeadLetter[] {
    return this.failedOrder
      .slice(-limit)
      .reverse()
      .map((r) => ({ queue: this.name, id: r.id, data: r.data, error: r.error ?? '', attempts: r.attemptsMade, failedAt: r.finishedAt ?? 0 }));
  }

  retryDeadLetter(id: string): boolean {
    const r = this.jobs.get(id);
    if (!r || r.state !== 'failed') return false;
    this.failedOrder.splice(this.failedOrder.indexOf(r), 1);
    r.attemptsMade = 0;
    r.deferrals = 0;
    r.state = 'waiting';
    delete r.error;
    this.waiting.push(r);
    this.pump();
    return true;
  }

  addWorker(w: WorkerState): void {
    if (w.opts.limiter && !this.limiter) this.limiter = w.opts.limiter;
    this.workers.push(w);
    this.pump();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Starts as many waiting jobs as the workers and the limiter allow. */
  pump(): void {
    if (this.closed) return;
    const now = Date.now();
    this.promoteDue(now);
    for (const w of this.workers) {
      while (!w.closed && w.active.size < w.opts.concurrency && this.head < this.waiting.length) {
        const waitMs = this.limiterWait(now);
        if (waitMs > 0) {
          this.wakeAt(now + waitMs);
          return;
        }
        const r = this.waiting[this.head++] as Rec;
        if (this.head > 1024 && this.head * 2 > this.waiting.length) {
          this.waiting = this.waiting.slice(this.head);
          this.head = 0;
        }
        this.windowCount++;
        this.run(w, r);
      }
    }
  }

  private limiterWait(now: number): number {
    const l = this.limiter;
    if (!l) return 0;
    if (now >= this.windowStart + l.perMs) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    return this.windowCount < l.max ? 0 : this.windowStart + l.perMs - now;
  }

  private run(w: WorkerState, r: Rec): void {
    r.state = 'active';
    const job: Job<unknown> = {
      id: r.id,
      data: r.data,
      attempt: r.attemptsMade + 1,
      attempts: this.opts.attempts,
      deferrals: r.deferrals,
      updateData: async (data) => {
        r.data = data;
      },
    };
    const p: Promise<void> = (async () => {
      try {
        await w.handler(job);
        this.finish(r, 'completed');
      } catch (err) {
        this.failed(w, r, job, err);
      }
    })().finally(() => {
      w.active.delete(p);
      this.pump();
    });
    w.active.add(p);
  }

  private failed(w: WorkerState, r: Rec, job: Job<unknown>, err: unknown): void {
    const o = failureOutcome(err, r.attemptsMade, r.deferrals, this.opts);
    if (o.action === 'defer') {
      r.deferrals++;
      this.delay(r, Date.now() + o.delayMs);
      return;
    }
    w.opts.onError?.(err, `${this.name} job ${r.id}`);
    if (o.action === 'retry') {
      r.attemptsMade++;
      this.delay(r, Date.now() + o.delayMs);
      return;
    }
    r.attemptsMade++;
    r.error = o.reason;
    this.finish(r, 'failed');
    w.opts.onDeadLetter?.(job, err);
  }

  private finish(r: Rec, state: 'completed' | 'failed'): void {
    r.state = state;
    r.finishedAt = Date.now();
    const order = state === 'completed' ? this.completedOrder : this.failedOrder;
    order.push(r);
    const keep = FINISHED_RETENTION[state];
    const cutoff = r.finishedAt - keep.ageMs;
    while (order.length > keep.count || (order.length && ((order[0] as Rec).finishedAt ?? 0) < cutoff)) {
      const old = order.shift() as Rec;
      this.jobs.delete(old.id);
    }
  }

  private delay(r: Rec, at: number): void {
    r.state = 'delayed';
    r.runAt = at;
    this.delayed.push(r);
    this.wakeAt(at);
  }

  private promoteDue(now: number): void {
    let top = this.delayed.peek();
    while (top && top.runAt <= now) {
      this.delayed.pop();
      top.state = 'waiting';
      this.waiting.push(top);
      top = this.delayed.peek();
    }
    if (top) this.wakeAt(top.runAt);
  }

  private wakeAt(at: number): void {
    if (this.closed || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - Date.now()));
    this.timer.unref?.();
  }
}

/**
 * The embedded queue: the same semantics as the BullMQ backend (deterministic ids, retries with
 * exponential backoff, deferrals that spend no attempt, a per-queue rate limit, dead letters), held
 * in process memory. Jobs do not survive a restart; receipts in the store still stop a second send.
 */
export class InProcessQueueBackend implements QueueBackend {
  readonly kind = 'memory';
  private readonly lanes = new Map<string, Lane>();

  queue<T>(name: string, opts: QueueOptions): JobQueue<T> {
    const lane = this.lane(name, opts);
    return {
      name,
      add: async (job) => lane.add(job),
      addBulk: async (jobs) => {
        for (const j of jobs) lane.add(j);
      },
      counts: async () => lane.counts(),
      deadLetters: async (limit) => lane.deadLetters(limit),
      retryDeadLetter: async (id) => lane.retryDeadLetter(id),
      close: async () => {},
    };
  }

  work<T>(name: string, opts: QueueOptions, handler: JobHandler<T>, worker: WorkerOptions): QueueWorker {
    const lane = this.lane(name, opts);
    const w: WorkerState = { handler: handler as JobHandler<unknown>, opts: worker, active: new Set(), closed: false };
    lane.addWorker(w);
    return {
      close: async () => {
        w.closed = true;
        await Promise.allSettled([...w.active]);
      },
    };
  }

  async close(): Promise<void> {
    for (const lane of this.lanes.values()) {
      for (const w of lane.workers) w.closed = true;
      await Promise.allSettled(lane.workers.flatMap((w) => [...w.active]));
      lane.close();
    }
  }

  private lane(name: string, opts: QueueOptions): Lane {
    checkQueueName(name);
    let lane = this.lanes.get(name);
    if (!lane) this.lanes.set(name, (lane = new Lane(name, opts)));
    return lane;
  }
}
