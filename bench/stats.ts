import type { Measure } from './types.js';

/** The p-th percentile (0..100) of ascending values, nearest rank below; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/**
 * The measures both chat platforms report: alert to delivered message, and a command's round
 * trip, each as p50 and p99 (the inputs need not be sorted).
 */
export function chatLatencyMeasures(platform: 'telegram' | 'discord', title: string, alertMs: number[], cmdMs: number[], commandVia: string): Measure[] {
  const a = [...alertMs].sort((x, y) => x - y);
  const c = [...cmdMs].sort((x, y) => x - y);
  return [
    { key: `${platform}.alert_to_message.p50_ms`, label: `alert published to ${title} message, chart included, p50`, value: percentile(a, 50), unit: 'ms' },
    { key: `${platform}.alert_to_message.p99_ms`, label: `alert published to ${title} message, chart included, p99`, value: percentile(a, 99), unit: 'ms', anchor: 'delivery part of tick to message' },
    { key: `${platform}.command_round_trip.p50_ms`, label: `/price round trip ${commandVia}, p50`, value: percentile(c, 50), unit: 'ms' },
    { key: `${platform}.command_round_trip.p99_ms`, label: `/price round trip ${commandVia}, p99`, value: percentile(c, 99), unit: 'ms' },
  ];
}

/**
 * Tick to message, the whole path on loopback (test/fakes/tick-rig.ts): from the fake exchange
 * sending the trade that closes a spike's bar, and from the spike's first trade (which adds the
 * rest of the 1-second bar and the engine's late-trade grace, by design), to the fake platform
 * holding the message with its chart. p50 and p99 of each; how many spikes gave no message.
 */
export function tickLatencyMeasures(platform: 'telegram' | 'discord', title: string, samples: readonly { fromClosingTradeMs: number; fromFirstSpikeTradeMs: number }[], missed: number): Measure[] {
  const close = samples.map((x) => x.fromClosingTradeMs).sort((x, y) => x - y);
  const first = samples.map((x) => x.fromFirstSpikeTradeMs).sort((x, y) => x - y);
  return [
    { key: `${platform}.tick_to_message.p50_ms`, label: `tick to ${title} message (bar-closing trade, fake exchange to fake ${title}), p50`, value: percentile(close, 50), unit: 'ms' },
    { key: `${platform}.tick_to_message.p99_ms`, label: `tick to ${title} message (bar-closing trade, fake exchange to fake ${title}), p99`, value: percentile(close, 99), unit: 'ms', goal: '<= 250' },
    { key: `${platform}.spike_to_message.p50_ms`, label: `spike's first trade to ${title} message (+ 1 s bar and grace), p50`, value: percentile(first, 50), unit: 'ms' },
    { key: `${platform}.spike_to_message.p99_ms`, label: `spike's first trade to ${title} message (+ 1 s bar and grace), p99`, value: percentile(first, 99), unit: 'ms' },
    { key: `${platform}.tick_to_message.samples`, label: `tick to ${title} message: samples (spikes without a message: ${missed})`, value: samples.length, unit: 'spikes' },
  ];
}

/** Spikes measured from tick to message (full run, --quick); the first few warm the path up and are not counted. */
export const TICK_SAMPLES = 60;
export const TICK_SAMPLES_QUICK = 16;
export const TICK_WARMUP = 3;
