import { describe, expect, it } from 'vitest';
import { COMMAND_RATE_LIMITS, CommandRateLimiter } from './rate-limit.js';

describe('CommandRateLimiter', () => {
  it('GIVEN a burst of chart commands THEN the burst passes, the next waits for one token, and light commands keep their own bucket', () => {
    const l = new CommandRateLimiter();
    const { burst, perMinute } = COMMAND_RATE_LIMITS.render;
    for (let i = 0; i < burst; i++) expect(l.take('u', 'render', 0)).toBe(0);
    expect(l.take('u', 'render', 0)).toBe(60_000 / perMinute);
    expect(l.take('u', 'light', 0)).toBe(0);
    expect(l.take('other', 'render', 0)).toBe(0);
    expect(l.take('u', 'render', 60_000 / perMinute)).toBe(0);
  });

  it('GIVEN many users THEN idle full buckets are forgotten, so memory stays bounded', () => {
    const l = new CommandRateLimiter({ light: { burst: 1, perMinute: 60 }, render: { burst: 1, perMinute: 60 } });
    for (let i = 0; i < 10_000; i++) l.take(`u${i}`, 'light', 0);
    l.take('late', 'light', 10 * 60_000);
    expect(l.size).toBe(1);
  });
});
