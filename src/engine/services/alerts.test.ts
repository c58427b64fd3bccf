import { describe, expect, it } from 'vitest';
import { makeAlert } from '../../../test/store/conformance.js';
import { MemoryStore } from '../../store/memory.js';
import { AlertLog } from './alerts.js';

describe('AlertLog', () => {
  it('records alerts once and reads the history newest first, with the count bounded', async () => {
    const log = new AlertLog(new MemoryStore());
    const a = makeAlert({ ts: 1_000_000 });
    const b = makeAlert({ ts: 2_000_000 });
    expect(await log.record(a)).toBe(true);
    expect(await log.record(a)).toBe(false);
    await log.record(b);
    expect((await log.history('BTC/USDT')).map((x) => x.id)).toEqual([b.id, a.id]);
    await expect(log.history('BTC/USDT', 500)).rejects.toMatchObject({ code: 'out_of_range' });
  });

  it('GIVEN feedback on an alert it no longer knows THEN the vote is refused as not_found; known alerts tally votes', async () => {
    const log = new AlertLog(new MemoryStore());
    await expect(log.vote('gone', 'telegram:1', 1)).rejects.toMatchObject({ code: 'not_found' });
    const a = makeAlert();
    await log.record(a);
    expect(await log.vote(a.id, 'telegram:1', 1)).toEqual({ up: 1, down: 0 });
    expect(await log.vote(a.id, 'telegram:1', -1)).toEqual({ up: 0, down: 1 });
    expect(await log.feedback(a.id)).toEqual({ up: 0, down: 1 });
  });
});
