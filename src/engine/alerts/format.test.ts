import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../core/types.js';
import { formatAlertText, formatDuration, formatPct, formatScore } from './format.js';

describe('alert text', () => {
  const alert: AlertEvent = {
    id: 'binance-BTCUSDT-1754923920000-up-0000abcd',
    venue: 'binance',
    symbol: 'BTC/USDT',
    ts: Date.UTC(2025, 7, 11, 14, 52, 3),
    barTs: Date.UTC(2025, 7, 11, 14, 52, 2),
    price: 63870.5,
    direction: 'up',
    change: { pct: 6.4, windowMs: 120_000, fromPrice: 60028, fromTs: 0 },
    score: 0.98,
    detectors: [{ name: 'burst', score: 0.9999, explanation: '212 trades' }],
    explanation: 'BTC/USDT on binance moved +6.4% in 2 minutes; burst: 212 trades',
    rules: ['r'],
    quoteVolume: 1e6,
    late: false,
  };

  it('keeps the shape users know, then detectors and venue', () => {
    expect(formatAlertText(alert)).toBe(
      [
        '[ALERT] BTC/USDT anomaly detected!',
        'Timestamp: 2025-08-11 14:52:03 UTC',
        'Price Change: +6.4% in 2 minutes',
        'Anomaly Score: 0.98',
        'Price: 63870.5',
        'Detectors: burst 0.9999',
        'Venue: binance',
        'Why: BTC/USDT on binance moved +6.4% in 2 minutes; burst: 212 trades',
      ].join('\n'),
    );
  });

  it('labels consensus and after-the-fact findings', () => {
    const t = formatAlertText({ ...alert, late: true, consensus: { kind: 'market-wide', confirming: ['binance', 'okx'], fresh: ['binance', 'okx', 'kraken'] } });
    expect(t).toContain('Consensus: market-wide (2 of 3 venues confirm: binance, okx)');
    expect(t).toContain('found after the fact');
  });

  it('says when another venue reported the same move first', () => {
    const t = formatAlertText({ ...alert, echo: { of: 'okx-1', venue: 'okx', ts: alert.ts - 8_000, rules: alert.rules } });
    expect(t).toContain('Same move: first reported on okx 8 seconds earlier');
    expect(formatAlertText(alert)).not.toContain('Same move');
    // A slow venue's bar can close after another venue's later one: no negative times.
    const t2 = formatAlertText({ ...alert, echo: { of: 'okx-1', venue: 'okx', ts: alert.ts + 3_000, rules: alert.rules } });
    expect(t2).toMatch(/Same move: first reported on okx\n/);
    const t3 = formatAlertText({ ...alert, echo: { of: 'div-1', venue: alert.venue, ts: alert.ts - 60_000, rules: alert.rules, breakaway: true } });
    expect(t3).toContain(`Part of: ${alert.venue}'s breakaway from the other venues, reported 60 seconds earlier`);
  });

  it('words durations, percents and scores the way people read them', () => {
    expect(formatDuration(45_000)).toBe('45 seconds');
    expect(formatDuration(120_000)).toBe('2 minutes');
    expect(formatDuration(60_000)).toBe('60 seconds');
    expect(formatDuration(3 * 3_600_000)).toBe('3 hours');
    expect(formatPct(-12.345)).toBe('-12.3%');
    expect(formatPct(0.5)).toBe('+0.5%');
    expect(formatScore(0.99996)).toBe('0.9999');
    expect(formatScore(0.5)).toBe('0.50');
  });
});
