import { testWorld, type TestWorld } from '../commands/testing.js';
import { DeliveryPipeline } from '../src/delivery/pipeline.js';
import type { AlertChartRequest, AlertEvent, BarSource } from '../src/engine/index.js';
import type { Destination } from '../src/engine/ports/destination.js';
import { subscriptionRule } from '../src/engine/services/rule-source.js';
import { InProcessQueueBackend } from '../src/queue/memory.js';
import { MemoryRateLimiter } from '../src/queue/rate-limit.js';
import { ChartRenderer } from '../src/render/renderer.js';
import { sampleAlertRequest } from '../src/render/samples.js';

/** Alerts sent before the timed ones (first render, first upload). */
const WARMUP_ALERTS = 3;

/** What both chat benches share: the sample spike, a test world on its clock, its chart bars. */
export interface ChatBench {
  sample: AlertChartRequest;
  world: TestWorld;
  bars: BarSource;
}

export function chatBench(): ChatBench {
  const sample = sampleAlertRequest('spike');
  const world = testWorld({ now: sample.alert.ts });
  return { sample, world, bars: { seriesAround: () => sample.series, seriesFor: () => sample.series } };
}

/** The in-process delivery pipeline to one destination, rendering every chart, no rate limits. */
export function benchPipeline(b: ChatBench, destination: Destination): { pipeline: DeliveryPipeline; close(): Promise<void> } {
  const queues = new InProcessQueueBackend();
  const pipeline = new DeliveryPipeline({
    store: b.world.store,
    queues,
    limiter: new MemoryRateLimiter(),
    clock: b.world.clock,
    destinations: [destination],
    chart: { renderer: new ChartRenderer(), bars: b.bars },
    options: { rates: {} },
  });
  pipeline.start();
  return {
    pipeline,
    async close() {
      await pipeline.close();
      await queues.close();
    },
  };
}

/**
 * Publishes `n` alerts (after a few untimed ones) to the subscription the bench made and times each
 * from publish until the platform has it: `arm` is called before each publish and returns the wait.
 */
export async function timeAlerts(b: ChatBench, pipeline: DeliveryPipeline, n: number, arm: () => () => Promise<unknown>): Promise<number[]> {
  const [sub] = await b.world.store.allSubscriptions();
  const { alert: base } = b.sample;
  const ms: number[] = [];
  for (let i = 0; i < n + WARMUP_ALERTS; i++) {
    // Each alert an hour after the last: a new chart, outside any burst window or cooldown.
    const ts = base.ts + i * 3_600_000;
    const alert: AlertEvent = { ...base, id: `${base.id}-${i}`, ts, rules: sub ? [subscriptionRule(sub).id] : base.rules };
    b.world.clock.t = ts;
    const delivered = arm();
    const t0 = performance.now();
    await pipeline.sink.publish(alert);
    await delivered();
    if (i >= WARMUP_ALERTS) ms.push(performance.now() - t0);
  }
  return ms;
}
