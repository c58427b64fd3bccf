import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, TemporaryError } from '../../src/engine/core/errors.js';
import type { Job, QueueBackend, QueueOptions } from '../../src/engine/ports/queue.js';
import { sleep, until } from './wait.js';

export interface QueueFixture {
  backend: QueueBackend;
  cleanup(): Promise<void>;
}

const OPTS: QueueOptions = { attempts: 3, backoffMs: 20 };
let seq = 0;
const qname = () => `q${++seq}-${Math.random().toString(36).slice(2, 8)}`;

interface Run {
  id: string;
  attempt: number;
  deferrals: number;
  data: unknown;
}

/** The queue contract: BullMQ and the in-process queue must behave the same. */
export function queueConformance(name: string, open: () => Promise<QueueFixture>): void {
  describe(`queue conformance: ${name}`, () => {
    let fx: QueueFixture;
    beforeAll(async () => {
      fx = await open();
    });
    afterAll(async () => {
      await fx.backend.close();
      await fx.cleanup();
    });

    function start(handler: (job: Job<{ n: number; slot?: number }>) => Promise<void>, opts: QueueOptions = OPTS, extra: { limiter?: { max: number; perMs: number } } = {}) {
      const n = qname();
      const runs: Run[] = [];
      const dead: string[] = [];
      const q = fx.backend.queue<{ n: number; slot?: number }>(n, opts);
      const w = fx.backend.work<{ n: number; slot?: number }>(
        n,
        opts,
        async (job) => {
          runs.push({ id: job.id, attempt: job.attempt, deferrals: job.deferrals, data: job.data });
          await handler(job);
        },
        { concurrency: 4, onDeadLetter: (job) => dead.push(job.id), ...extra },
      );
      return { q, w, runs, dead };
    }

    it('runs each job once: a second add of the same id does nothing', async () => {
      const { q, w, runs } = start(async () => {});
      await q.add({ id: 'a', data: { n: 1 } });
      await q.addBulk([{ id: 'b', data: { n: 2 } }, { id: 'a', data: { n: 3 } }]);
      await until(async () => (await q.counts()).completed === 2, 'two completed jobs');
      await q.add({ id: 'a', data: { n: 4 } });
      await sleep(100);
      expect(runs.map((r) => r.id).sort()).toEqual(['a', 'b']);
      expect(runs.find((r) => r.id === 'a')?.data).toEqual({ n: 1 });
      await w.close();
    });

    it('retries a failing job with backoff and counts its attempts', async () => {
      const { q, w, runs } = start(async (job) => {
        if (job.attempt < 3) throw new Error('flaky');
      });
      await q.add({ id: 'r', data: { n: 1 } });
      await until(async () => (await q.counts()).completed === 1, 'the retried job to complete');
      expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
      expect(await q.deadLetters(10)).toEqual([]);
      await w.close();
    });

    it('GIVEN a platform answer "retry after" THEN the job waits without spending an attempt and keeps the data it saved', async () => {
      const { q, w, runs } = start(async (job) => {
        if (job.deferrals < 3) {
          await job.updateData({ ...job.data, slot: job.deferrals + 1 });
          throw new TemporaryError('429', { retryAfterMs: 30 });
        }
      }, { attempts: 1, backoffMs: 20 });
      await q.add({ id: 'd', data: { n: 1 } });
      await until(async () => (await q.counts()).completed === 1, 'the deferred job to complete');
      expect(runs.map((r) => [r.attempt, r.deferrals])).toEqual([[1, 0], [1, 1], [1, 2], [1, 3]]);
      expect(runs[3]?.data).toEqual({ n: 1, slot: 3 });
      await w.close();
    });

    it('GIVEN a PermanentError THEN the job is a dead letter at once, visible with its reason, and can be retried', async () => {
      let fail = true;
      const { q, w, runs, dead } = start(async () => {
        if (fail) throw new PermanentError('bot was blocked by the user', 'blocked');
      });
      await q.add({ id: 'p', data: { n: 1 } });
      await until(async () => (await q.counts()).failed === 1, 'a dead letter');
      expect(runs).toHaveLength(1);
      expect(dead).toEqual(['p']);
      const [d] = await q.deadLetters(10);
      expect(d).toMatchObject({ queue: q.name, id: 'p', data: { n: 1 }, attempts: 1 });
      expect(d?.error).toContain('bot was blocked by the user');
      fail = false;
      expect(await q.retryDeadLetter('p')).toBe(true);
      expect(await q.retryDeadLetter('nope')).toBe(false);
      await until(async () => (await q.counts()).completed === 1, 'the retried dead letter to complete');
      expect((await q.counts()).failed).toBe(0);
      await w.close();
    });

    it('GIVEN a job that keeps failing THEN it becomes a dead letter after its attempts', async () => {
      const { q, w, runs, dead } = start(async () => {
        throw new Error('network down');
      });
      await q.add({ id: 'x', data: { n: 1 } });
      await until(async () => (await q.counts()).failed === 1, 'a dead letter');
      expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
      expect(dead).toEqual(['x']);
      expect((await q.deadLetters(10))[0]?.error).toContain('network down');
      await w.close();
    });

    it('holds a delayed job until its time', async () => {
      const { q, w, runs } = start(async () => {});
      await q.add({ id: 'later', data: { n: 1 }, delayMs: 60_000 });
      await q.add({ id: 'soon', data: { n: 2 }, delayMs: 30 });
      await until(() => runs.length === 1, 'the short delay to pass');
      expect(runs[0]?.id).toBe('soon');
      expect((await q.counts()).delayed).toBe(1);
      await w.close();
    });

    it('GIVEN a queue limit of 3 jobs a minute THEN only 3 of 5 jobs start and the rest wait', async () => {
      const { q, w, runs } = start(async () => {}, OPTS, { limiter: { max: 3, perMs: 60_000 } });
      await q.addBulk([1, 2, 3, 4, 5].map((n) => ({ id: `l${n}`, data: { n } })));
      await until(() => runs.length === 3, 'three jobs');
      await sleep(300);
      expect(runs).toHaveLength(3);
      const c = await q.counts();
      expect(c.completed).toBe(3);
      expect(c.waiting + c.delayed).toBe(2);
      await w.close();
    });

    it('refuses a job id with a colon (BullMQ custom ids cannot hold one)', async () => {
      const q = fx.backend.queue(qname(), OPTS);
      await expect(q.add({ id: 'a:b', data: {} })).rejects.toThrow(/bad job id/);
    });
  });
}
