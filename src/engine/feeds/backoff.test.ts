import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

const opt = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5, resetAfterMs: 5_000 };

describe('Backoff', () => {
  it('doubles each attempt up to the cap, with jitter drawing from [delay/2, delay]', () => {
    const hi = new Backoff(opt, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => hi.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    const lo = new Backoff(opt, () => 0.999999);
    expect([1, 2, 3, 4, 5].map(() => lo.next())).toEqual([50, 100, 200, 400, 500]);
  });

  it('GIVEN random draws THEN two clients retrying together spread out', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const a = new Backoff(opt, rnd);
    const b = new Backoff(opt, rnd);
    const da = [a.next(), a.next(), a.next()];
    const db = [b.next(), b.next(), b.next()];
    expect(da).not.toEqual(db);
  });

  it('resets only after a connection stayed up long enough (a flapping venue keeps backing off)', () => {
    const b = new Backoff(opt, () => 0);
    b.next();
    b.next();
    b.settle(1_000);
    expect(b.next()).toBe(400);
    b.settle(5_000);
    expect(b.next()).toBe(100);
  });
});
