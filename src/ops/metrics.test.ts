import { describe, expect, it } from 'vitest';
import { AppMetrics } from './metrics.js';
import type { AlertEvent } from '../engine/core/types.js';

describe('AppMetrics', () => {
  it('exposes alerts, delivery, render and component readings in the Prometheus text format', async () => {
    const m = new AppMetrics({ defaultMetrics: false });
    let ticks = 5;
    m.counter('tickwatch_ticks_total', 'Trades in', ['venue'], () => [{ labels: { venue: 'binance' }, value: ticks }]);
    m.gauge('tickwatch_feed_streams', 'Streams by status', ['venue', 'status'], () => [{ labels: { venue: 'okx', status: 'stale' }, value: 2 }]);
    m.alertFired({ venue: 'okx', direction: 'up', explanation: 'BTC moved' } as AlertEvent);
    m.delivered('telegram', 0.12);
    m.deliveryFailed('discord', 'rate_limited');
    m.rendered('alert', 0.02);
    ticks = 9;
    const text = await m.text();
    expect(text).toContain('tickwatch_ticks_total{venue="binance"} 9');
    expect(text).toContain('tickwatch_feed_streams{venue="okx",status="stale"} 2');
    expect(text).toContain('tickwatch_alerts_total{venue="okx",direction="up",kind="move"} 1');
    expect(text).toContain('tickwatch_delivery_seconds_count{platform="telegram"} 1');
    expect(text).toContain('tickwatch_delivery_failures_total{platform="discord",reason="rate_limited"} 1');
    expect(text).toContain('tickwatch_chart_render_seconds_count{kind="alert"} 1');
  });
});
