import type { AlertEvent, PriceChange } from '../core/types.js';

/** `2025-08-11 14:52:03 UTC` */
export function formatUtc(ts: number): string {
  return `${new Date(ts).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `2 minutes`, `45 seconds`, `3 hours`, `1 day`. */
export function formatDuration(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  const unit = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (s < 90) return unit(s, 'second');
  const m = Math.round(s / 60);
  if (m < 90) return unit(m, 'minute');
  const h = Math.round(m / 60);
  if (h < 36) return unit(h, 'hour');
  return unit(Math.round(h / 24), 'day');
}

export function formatPct(pct: number): string {
  const digits = Math.abs(pct) >= 10 ? 1 : Math.abs(pct) >= 0.1 ? 2 : 3;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(digits).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1')}%`;
}

/** `+6.4% in 2 minutes` */
export function formatChange(c: PriceChange): string {
  return `${formatPct(c.pct)} in ${formatDuration(c.windowMs)}`;
}

export function formatPrice(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  const a = Math.abs(p);
  const digits = a >= 1000 ? 2 : a >= 1 ? 4 : a >= 0.01 ? 6 : 8;
  return p.toFixed(digits).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1');
}

/** Scores are shown floored, so that 0.9996 never reads as a perfect 1.00. */
export function formatScore(s: number): string {
  const digits = s >= 0.999 ? 4 : s >= 0.99 ? 3 : 2;
  const f = Math.pow(10, digits);
  return (Math.floor(s * f) / f).toFixed(digits);
}

/**
 * The alert's text form, the shape users know:
 *
 *   [ALERT] BTC/USDT anomaly detected!
 *   Timestamp: 2025-08-11 14:52:03 UTC
 *   Price Change: +6.4% in 2 minutes
 *   Anomaly Score: 0.98
 *
 * followed by price, detectors, venue and consensus.
 */
export function formatAlertText(a: AlertEvent): string {
  const lines = [
    `[ALERT] ${a.symbol} anomaly detected!`,
    `Timestamp: ${formatUtc(a.ts)}`,
    `Price Change: ${formatChange(a.change)}`,
    `Anomaly Score: ${formatScore(a.score)}`,
    `Price: ${formatPrice(a.price)}`,
    `Detectors: ${a.detectors.length ? a.detectors.map((d) => `${d.name} ${formatScore(d.score)}`).join(', ') : 'ensemble'}`,
    `Venue: ${a.venue}`,
  ];
  if (a.consensus) {
    lines.push(
      `Consensus: ${a.consensus.kind} (${a.consensus.confirming.length} of ${a.consensus.fresh.length} venues confirm${a.consensus.confirming.length ? `: ${a.consensus.confirming.join(', ')}` : ''})`,
    );
  }
  if (a.echo) {
    const when = a.ts > a.echo.ts ? ` ${formatDuration(a.ts - a.echo.ts)} earlier` : '';
    lines.push(a.echo.breakaway ? `Part of: ${a.echo.venue}'s breakaway from the other venues${when ? `, reported${when}` : ''}` : `Same move: first reported on ${a.echo.venue}${when}`);
  }
  if (a.late) lines.push('Note: found after the fact, in data backfilled after a feed gap');
  lines.push(`Why: ${a.explanation}`);
  return lines.join('\n');
}
