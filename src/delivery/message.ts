import { formatAlertText, formatChange, formatDuration, formatScore } from '../engine/alerts/format.js';
import type { AlertEvent } from '../engine/core/types.js';

/** Strongest move first. */
export function byStrength(a: AlertEvent, b: AlertEvent): number {
  return Math.abs(b.change.pct) - Math.abs(a.change.pct) || b.score - a.score;
}

export function alertText(a: AlertEvent): string {
  return formatAlertText(a);
}

/**
 * The merged message of a burst:
 *
 *   [MARKET-WIDE MOVE] 7 of 12 pairs moved within 5 seconds
 *   BTC/USDT +6.4% in 2 minutes (binance, score 0.98)
 *   ...
 */
export function burstText(alerts: readonly AlertEvent[], pairsFollowed: number | undefined, windowMs: number): string {
  const sorted = [...alerts].sort(byStrength);
  const pairs = new Set(sorted.map((a) => a.symbol)).size;
  const of = pairsFollowed !== undefined && pairsFollowed >= pairs ? ` of ${pairsFollowed}` : '';
  const lines = [`[MARKET-WIDE MOVE] ${pairs}${of} pairs moved within ${formatDuration(windowMs)}`];
  for (const a of sorted) lines.push(`${a.symbol} ${formatChange(a.change)} (${a.venue}, score ${formatScore(a.score)})`);
  return lines.join('\n');
}
