import { describe, expect, it } from 'vitest';
import { makeAlert } from '../test/store/conformance.js';
import { FAKE_PNG, say, testWorld } from './testing.js';

describe('/preview', () => {
  it('GIVEN stored bars THEN the reply counts the would-be alerts over the span, lists the latest and carries the chart', async () => {
    const w = testWorld();
    const alerts = [1, 2, 3].map((h) => makeAlert({ id: `p${h}`, ts: Date.UTC(2025, 7, 11, h) }));
    w.previews.push({ symbol: 'BTC/USDT', spanMs: 24 * 3_600_000, alerts, series: [], chart: FAKE_PNG });
    const { text, reply } = await say(w, '/preview BTC/USDT 2%');
    expect(text.split('\n')[0]).toBe('With 2% in 5 minutes, up or down, score ≥ 0.990, cooldown 15 minutes, BTC/USDT would have fired 3 times in the last 24 hours.');
    expect(text.split('\n')[1]).toMatch(/^2025-08-11 03:00 UTC/);
    expect(reply.chart?.fileName).toBe('BTC-USDT-preview.png');
  });

  it('GIVEN no stored bars THEN the reply says to wait for the feed', async () => {
    expect((await say(testWorld(), '/preview ETH/USDT')).text).toContain('No stored bars for ETH/USDT yet');
  });
});
