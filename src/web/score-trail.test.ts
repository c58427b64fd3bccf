import { describe, expect, it } from 'vitest';
import { ScoreTrail } from './score-trail.js';

describe('ScoreTrail', () => {
  it('keeps the highest score of each bucket, oldest first, and a fixed number of buckets', () => {
    const t = new ScoreTrail(4, 1000);
    t.add(0, 0.2);
    t.add(500, 0.9);
    t.add(1200, 0.1);
    t.add(3100, 0.5);
    expect(t.toArray()).toEqual([0.9, 0.1, 0, 0.5]);
    t.add(4000, 0.3);
    expect(t.toArray()).toEqual([0.1, 0, 0.5, 0.3]);
  });

  it('GIVEN a silence longer than the trail THEN it is all zeros but the newest bucket', () => {
    const t = new ScoreTrail(3, 1000);
    t.add(0, 1);
    t.add(60_000, 0.4);
    expect(t.toArray()).toEqual([0, 0, 0.4]);
  });

  it('a late score lands in its own bucket, or nowhere when older than the trail', () => {
    const t = new ScoreTrail(3, 1000);
    t.add(5000, 0.1);
    t.add(4000, 0.7);
    t.add(1000, 0.99);
    expect(t.toArray()).toEqual([0, 0.7, 0.1]);
    expect(new ScoreTrail(3, 1000).toArray()).toEqual([]);
  });
});
