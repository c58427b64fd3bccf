/**
 * How commands word subscriptions, thresholds, prices and times. One place, so that `watch`,
 * `list`, `set` and `preview` describe a rule the same way.
 */
import { formatDuration, formatPct, formatPrice, formatScore, formatUtc, type AlertEvent } from '../src/engine/index.js';
import type { Subscription, Thresholds } from '../src/engine/ports/store.js';
import { showDuration } from '../src/engine/services/subscriptions.js';
import { bold, code, plain, rich, type Proximity, type Span } from './framework.js';

/** `3% in 5 minutes, up only, score ≥ 0.99` */
export function describeThresholds(t: Thresholds): string {
  const parts: string[] = [];
  parts.push(t.movePct > 0 ? `${trimNumber(t.movePct)}% in ${formatDuration(t.moveWindowMs)}` : `any move in ${formatDuration(t.moveWindowMs)}`);
  parts.push(t.direction === 'both' ? 'up or down' : `${t.direction} only`);
  parts.push(`score ≥ ${formatScore(t.minScore)}`);
  if (t.cooldownMs > 0) parts.push(`cooldown ${formatDuration(t.cooldownMs)}`);
  if (t.minQuoteVolume > 0) parts.push(`volume ≥ ${trimNumber(t.minQuoteVolume)}`);
  return parts.join(', ');
}

/** `BTC/USDT` with its venue when the subscription has one: `BTC/USDT on binance`. */
export function subjectOf(s: Pick<Subscription, 'symbol' | 'venue'>): Span[] {
  return rich(bold(s.symbol), s.venue ? ` on ${s.venue}` : '');
}

/** One line of `list`: pair, thresholds, preset, mute, pause and closeness to firing. */
export function subscriptionLine(s: Subscription, now: number, proximity?: Proximity | null): Span[] {
  const out = rich(subjectOf(s), `: ${describeThresholds(s.thresholds)}`);
  if (s.sensitivity) out.push(plain(` (${s.sensitivity})`));
  if (s.mutedUntil !== undefined && s.mutedUntil > now) out.push(plain(`; muted until ${shortTime(s.mutedUntil)}`));
  if (s.paused) out.push(plain(`; paused since ${shortTime(s.paused.at)} (${s.paused.reason})`));
  if (proximity) {
    // Measured on older bars (a saved window past its freshness bound): say when, never "now".
    const when = proximity.asOf !== undefined ? `${formatPct(proximity.movePct)} as of ${shortTime(proximity.asOf)}` : `now ${formatPct(proximity.movePct)}`;
    // The score is per bar and says little between anomalies; shown beside the rule's own bar.
    const score = proximity.score !== undefined ? `, score ${formatScore(proximity.score)}` : '';
    out.push(plain(`; ${when}, ${Math.round(Math.min(1, proximity.ratio) * 100)}% of the way to firing${score}`));
  }
  return out;
}

/** `1 hour`, `90 minutes`, `30 days`: the largest unit that divides the duration exactly (bounds, snoozes). */
export const exactDuration = showDuration;

/** `2025-08-11 14:52 UTC` */
export function shortTime(ts: number): string {
  return formatUtc(ts).replace(/:\d\d UTC$/, ' UTC');
}

/** One alert in a history or preview list. */
export function alertLine(a: AlertEvent): Span[] {
  const echo = a.echo ? ` (same move as ${a.echo.venue})` : '';
  return rich(shortTime(a.ts), '  ', bold(formatPct(a.change.pct)), ` in ${formatDuration(a.change.windowMs)}  `, code(formatPrice(a.price)), `  ${a.venue}, score ${formatScore(a.score)}${echo}`);
}

/** `3`, `0.5`, `1250000`: numbers as typed, without trailing zeros. */
export function trimNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

/** `BTC-USDT-24h.png` */
export function chartFileName(symbol: string, what: string): string {
  return `${symbol.replace(/[^A-Za-z0-9]+/g, '-')}-${what}.png`;
}

/** `12 s ago`, `3 minutes ago`, `just now`. */
export function ago(ts: number, now: number): string {
  const ms = now - ts;
  if (ms < 1_000) return 'just now';
  return `${formatDuration(ms)} ago`;
}
