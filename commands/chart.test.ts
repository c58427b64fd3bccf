import { describe, expect, it } from 'vitest';
import { CHART_RANGES } from '../src/render/renderer.js';
import { parseDuration } from './framework.js';
import { CHART_RANGE_CHOICES } from './chart.js';
import { FAKE_PNG, say, testWorld } from './testing.js';

describe('/chart', () => {
  it('GIVEN a pair with data THEN the reply carries the PNG of the asked range', async () => {
    const w = testWorld();
    w.quotes.set('ETH/USDT', { symbol: 'ETH/USDT', venues: [] });
    const { reply, text } = await say(w, '/chart ethusdt 24h');
    expect(text).toBe('ETH/USDT, last 24h');
    expect(reply.chart).toEqual({ png: FAKE_PNG, fileName: 'ETH-USDT-24h.png' });
    expect(w.charts).toEqual([{ symbol: 'ETH/USDT', range: '24h', venue: undefined }]);
  });

  it('GIVEN no data or a range not offered THEN the reply says so', async () => {
    const w = testWorld();
    expect((await say(w, '/chart BTC/USDT')).text).toBe('No price data for BTC/USDT in the last 1h yet');
    expect((await say(w, '/chart BTC/USDT 3h')).text).toContain('Did not understand "3h"; expected one of 15m, 1h, 4h, 24h, 7d, or a venue');
  });

  it('offers exactly the ranges the renderer draws', () => {
    expect(CHART_RANGE_CHOICES.map((r) => [r, parseDuration(r)])).toEqual(Object.entries(CHART_RANGES));
  });
});
