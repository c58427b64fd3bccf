/** Formatting helpers that keep a venue's number and time formats while values change. */

/**
 * `value` with as many decimals as `template` has, or more when the value needs them (up to 8):
 * a fake never rounds the prices a test chose.
 */
export function decimalsLike(template: string, value: number): string {
  const dot = template.indexOf('.');
  const d = dot < 0 ? 0 : template.length - dot - 1;
  let need = 0;
  while (need < 8 && Number(value.toFixed(need)) !== value) need++;
  return value.toFixed(Math.max(d, need));
}

/** ISO 8601 with microseconds, as Coinbase and Kraken write it: 2026-08-09T21:05:42.514000Z. */
export function isoMicros(ts: number): string {
  return new Date(ts).toISOString().replace('Z', '000Z');
}

/** ISO 8601 with nanoseconds, as Coinbase stamps its messages. */
export function isoNanos(ts: number): string {
  return new Date(ts).toISOString().replace('Z', '000000Z');
}
