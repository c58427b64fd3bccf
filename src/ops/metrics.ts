import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AlertEvent } from '../engine/core/types.js';

/** Values read at scrape time from a component (feeds, engine, queues). */
export interface GaugeReading {
  labels: Record<string, string>;
  value: number;
}

/**
 * The product's Prometheus metrics, in a registry of their own (no global state). Counters that
 * components keep themselves (ticks, drops) are read at scrape time through collectors.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly alerts: Counter<'venue' | 'direction' | 'kind'>;
  private readonly deliverySeconds: Histogram<'platform'>;
  private readonly deliveryFailures: Counter<'platform' | 'reason'>;
  private readonly renderSeconds: Histogram<'kind'>;
  private readonly platformRetries: Counter<'platform' | 'reason'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'tickwatch_' });
    this.alerts = new Counter({ name: 'tickwatch_alerts_total', help: 'Alerts fired, by venue and direction', labelNames: ['venue', 'direction', 'kind'], registers });
    this.deliverySeconds = new Histogram({
      name: 'tickwatch_delivery_seconds',
      help: 'Time from alert to delivered message, by platform',
      labelNames: ['platform'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.deliveryFailures = new Counter({ name: 'tickwatch_delivery_failures_total', help: 'Failed delivery attempts, by platform and reason', labelNames: ['platform', 'reason'], registers });
    this.platformRetries = new Counter({
      name: 'tickwatch_platform_retries_total',
      help: 'Calls to a chat platform that its client retried on its own, by platform and reason (rate_limited, server_error, network)',
      labelNames: ['platform', 'reason'],
      registers,
    });
    this.renderSeconds = new Histogram({
      name: 'tickwatch_chart_render_seconds',
      help: 'Chart render time',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  alertFired(a: AlertEvent): void {
    this.alerts.inc({ venue: a.venue, direction: a.direction, kind: a.explanation.startsWith('divergence') ? 'divergence' : 'move' });
  }

  delivered(platform: string, seconds: number): void {
    this.deliverySeconds.observe({ platform }, seconds);
  }

  deliveryFailed(platform: string, reason: string): void {
    this.deliveryFailures.inc({ platform, reason });
  }

  /** A chat client retries a call: the platform answered 429 (`rate_limited`), 5xx (`server_error`), or not at all (`network`). */
  platformRetried(platform: string, reason: string): void {
    this.platformRetries.inc({ platform, reason });
  }

  rendered(kind: 'alert' | 'range', seconds: number): void {
    this.renderSeconds.observe({ kind }, seconds);
  }

  /** A gauge whose values are read from `read` at every scrape. */
  gauge(name: string, help: string, labelNames: string[], read: () => GaugeReading[]): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of read()) this.set(r.labels, r.value);
      },
    });
  }

  /**
   * A counter kept by a component (monotonic), read at every scrape. Exposed as a counter: the
   * value only grows while the process lives.
   */
  counter(name: string, help: string, labelNames: string[], read: () => GaugeReading[]): void {
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of read()) this.inc(r.labels, r.value);
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
