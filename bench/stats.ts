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
    { key: `${platform}.alert_to_message.p50_ms`, label: `alert to ${title} message, chart included, p50`, value: percentile(a, 50), unit: 'ms' },
    { key: `${platform}.alert_to_message.p99_ms`, label: `alert to ${title} message, chart included, p99`, value: percentile(a, 99), unit: 'ms', goal: '<= 250 (tick to message)' },
    { key: `${platform}.command_round_trip.p50_ms`, label: `/price round trip ${commandVia}, p50`, value: percentile(c, 50), unit: 'ms' },
    { key: `${platform}.command_round_trip.p99_ms`, label: `/price round trip ${commandVia}, p99`, value: percentile(c, 99), unit: 'ms' },
  ];
}
