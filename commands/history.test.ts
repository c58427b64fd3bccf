import { describe, expect, it } from 'vitest';
import { makeAlert } from '../test/store/conformance.js';
import { say, testWorld } from './testing.js';

describe('/history', () => {
  it('GIVEN recorded alerts THEN the newest come first, as many as asked', async () => {
    const w = testWorld();
    for (let i = 0; i < 3; i++) await w.alerts.record(makeAlert({ id: `a${i}`, symbol: 'BTC/USDT', ts: Date.UTC(2025, 7, 11, 10 + i) }));
    const { text } = await say(w, '/history BTC/USDT 2');
    const rows = text.split('\n');
    expect(rows[0]).toBe('Last 2 alerts of BTC/USDT');
    expect(rows[1]).toMatch(/^2025-08-11 12:00 UTC/);
    expect(rows).toHaveLength(3);
  });

  it('GIVEN no alerts or a count out of range THEN the reply says so', async () => {
    const w = testWorld();
    expect((await say(w, '/history ETH/USDT')).text).toBe('No alerts for ETH/USDT in the stored history.');
    expect((await say(w, '/history ETH/USDT 500')).text).toContain('Count: must be between 1 and 50');
  });
});
