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

  it('GIVEN one move reported by two venues THEN the later venue\'s line says it was the same move', async () => {
    const w = testWorld();
    const first = makeAlert({ id: 'b1', symbol: 'BTC/USDT', venue: 'binance', ts: Date.UTC(2025, 7, 11, 10) });
    await w.alerts.record(first);
    await w.alerts.record(makeAlert({ id: 'o1', symbol: 'BTC/USDT', venue: 'okx', ts: first.ts + 3_000, echo: { of: 'b1', venue: 'binance', ts: first.ts, rules: first.rules } }));
    const rows = (await say(w, '/history BTC/USDT')).text.split('\n');
    expect(rows[1]).toMatch(/okx, score [\d.]+ \(same move as binance\)$/);
    expect(rows[2]).toMatch(/binance, score [\d.]+$/);
  });

  it('GIVEN no alerts or a count out of range THEN the reply says so', async () => {
    const w = testWorld();
    expect((await say(w, '/history ETH/USDT')).text).toBe('No alerts for ETH/USDT in the stored history.');
    expect((await say(w, '/history ETH/USDT 500')).text).toContain('Count: must be between 1 and 50');
  });
});
