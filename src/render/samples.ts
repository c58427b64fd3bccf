import { Rng } from '../engine/core/math.js';
import type { AlertChartRequest, AlertEvent, Bar, ChartTheme, RangeChartRequest, VenueSeries } from '../engine/index.js';

/**
 * Deterministic sample charts: the gallery, the benchmark and the tests draw these. Bars come from
 * a seeded random walk with an optional move (a ramp to `pct` over `rampBars`).
 */

export const SAMPLE_START = Date.UTC(2025, 7, 11, 14, 0, 0);

export interface BarWalk {
  n: number;
  barMs?: number;
  start?: number;
  price?: number;
  /** Per-bar volatility of log price. */
  vol?: number;
  seed?: number;
  /** A move starting at bar `at`, reaching `pct` percent after `rampBars` bars. */
  move?: { at: number; pct: number; rampBars: number } | undefined;
  /** Bars [from, to) left out: a feed gap. */
  gap?: { from: number; to: number } | undefined;
}

export function walkBars(o: BarWalk): Bar[] {
  const rng = new Rng(o.seed ?? 7);
  const barMs = o.barMs ?? 60_000;
  const start = o.start ?? SAMPLE_START;
  const vol = o.vol ?? 0.0008;
  let logP = Math.log(o.price ?? 60_000);
  const bars: Bar[] = [];
  for (let i = 0; i < o.n; i++) {
    const open = Math.exp(logP);
    let step = rng.normal() * vol;
    let volumeBoost = 1;
    if (o.move && i >= o.move.at && i < o.move.at + o.move.rampBars) {
      step += Math.log(1 + o.move.pct / 100) / o.move.rampBars;
      volumeBoost = 6;
    }
    logP += step;
    const close = Math.exp(logP);
    if (o.gap && i >= o.gap.from && i < o.gap.to) continue;
    const wick = Math.abs(rng.normal()) * vol * 0.5;
    const volume = (0.5 + rng.next() * 2) * volumeBoost;
    const buyShare = step >= 0 ? 0.6 : 0.4;
    bars.push({
      ts: start + i * barMs,
      open,
      high: Math.max(open, close) * (1 + wick),
      low: Math.min(open, close) * (1 - wick),
      close,
      volume,
      quoteVolume: volume * close,
      buyVolume: volume * buyShare,
      sellVolume: volume * (1 - buyShare),
      trades: Math.round(volume * 40),
    });
  }
  return bars;
}

/** An alert at the end of the move in `bars` (the bar where the ramp ends). */
export function sampleAlert(bars: Bar[], barMs: number, moveEnd: number, moveStart: number, venue: string, symbol = 'BTC/USDT'): AlertEvent {
  const at = bars.find((b) => b.ts === SAMPLE_START + moveEnd * barMs) ?? bars[bars.length - 1]!;
  const from = bars.find((b) => b.ts === SAMPLE_START + moveStart * barMs) ?? bars[0]!;
  const pct = (at.close / from.close - 1) * 100;
  return {
    id: `${venue}:${symbol}:${at.ts}:${pct >= 0 ? 'up' : 'down'}`,
    venue,
    symbol,
    ts: at.ts + barMs,
    barTs: at.ts,
    price: at.close,
    direction: pct >= 0 ? 'up' : 'down',
    change: { pct, windowMs: at.ts + barMs - (from.ts + barMs), fromPrice: from.close, fromTs: from.ts + barMs },
    score: 0.987,
    detectors: [{ name: 'zscore', score: 0.998, explanation: 'return 6.1σ above the 60-minute mean' }],
    explanation: `${symbol} on ${venue} moved`,
    rules: ['default'],
    quoteVolume: at.quoteVolume,
    late: false,
  };
}

export type SampleName = 'spike' | 'dump' | 'flat' | 'gap' | 'venues' | 'single';

const VENUES = ['binance', 'coinbase', 'kraken', 'okx', 'bybit'];

/** One sample alert chart request of `n` one-minute bars (the move sits at 70% of the span). */
export function sampleAlertRequest(name: SampleName, opts: { n?: number; theme?: ChartTheme; timeZone?: string } = {}): AlertChartRequest {
  const n = opts.n ?? 120;
  const barMs = 60_000;
  const at = Math.floor(n * 0.7);
  const base = { theme: opts.theme, timeZone: opts.timeZone };
  const one = (bars: Bar[], venue = 'binance'): VenueSeries[] => [{ venue, bars, barMs }];
  switch (name) {
    case 'spike':
    case 'dump': {
      const pct = name === 'spike' ? 6.4 : -8.2;
      const bars = walkBars({ n, barMs, move: { at, pct, rampBars: 3 }, seed: name === 'spike' ? 7 : 11 });
      return { ...base, alert: sampleAlert(bars, barMs, at + 2, at - 1, 'binance'), series: one(bars) };
    }
    case 'flat': {
      const bars = walkBars({ n, barMs, vol: 0 });
      const alert = sampleAlert(bars, barMs, at, at - 2, 'binance');
      return { ...base, alert: { ...alert, change: { ...alert.change, pct: 0 } }, series: one(bars) };
    }
    case 'gap': {
      const bars = walkBars({ n, barMs, move: { at, pct: 3.1, rampBars: 4 }, gap: { from: Math.floor(n * 0.3), to: Math.floor(n * 0.45) }, seed: 5 });
      return { ...base, alert: sampleAlert(bars, barMs, at + 3, at - 1, 'binance'), series: one(bars) };
    }
    case 'single': {
      const bars = walkBars({ n: 1, barMs });
      const b = bars[0]!;
      const alert = sampleAlert(bars, barMs, 0, 0, 'binance');
      return { ...base, alert: { ...alert, ts: b.ts + barMs, change: { ...alert.change, fromTs: b.ts, windowMs: barMs } }, series: one(bars) };
    }
    case 'venues': {
      // One venue breaks away (a venue-specific pump); the others and the median stay put.
      const series: VenueSeries[] = VENUES.map((venue, i) => ({
        venue,
        barMs,
        bars: jitter(walkBars({ n, barMs, seed: 100, vol: 0.0006, move: i === 0 ? { at, pct: 4.2, rampBars: 4 } : undefined }), 0.0002, 200 + i),
      }));
      const composite = series[1]!.bars.map((b, k) => ({ ...b, close: median(series.map((s) => s.bars[k]!.close)) }));
      const alert = sampleAlert(series[0]!.bars, barMs, at + 3, at - 1, 'binance');
      const consensus = { kind: 'venue-specific' as const, confirming: [], fresh: [...VENUES] };
      return { ...base, alert: { ...alert, consensus }, series, composite };
    }
  }
}

/** An on-demand chart: a day of one-minute bars on two venues with three alerts marked. */
export function sampleRangeRequest(opts: { theme?: ChartTheme; timeZone?: string; range?: string } = {}): RangeChartRequest {
  const barMs = 60_000;
  const n = 1440;
  const a = walkBars({ n, barMs, seed: 21, vol: 0.0009, move: { at: 900, pct: -5, rampBars: 6 } });
  const b = jitter(walkBars({ n, barMs, seed: 21, vol: 0.0009, move: { at: 900, pct: -5, rampBars: 6 } }), 0.0003, 22);
  // One dump (the injected move) and the walk's own strongest 20-bar rises before and after it.
  const alerts = [sampleAlert(a, barMs, 905, 899, 'binance'), ...[[300, 600], [1000, 1400]].map(([lo, hi]) => {
    const end = strongestRise(a, lo!, hi!, 20);
    return sampleAlert(a, barMs, end, end - 20, 'binance');
  })];
  return {
    symbol: 'BTC/USDT',
    range: opts.range ?? '24h',
    series: [
      { venue: 'binance', barMs, bars: a },
      { venue: 'coinbase', barMs, bars: b },
    ],
    alerts,
    theme: opts.theme,
    timeZone: opts.timeZone,
  };
}

/** Index in [lo, hi) where the close rose most over the previous `span` bars. */
function strongestRise(bars: Bar[], lo: number, hi: number, span: number): number {
  let best = lo;
  let bestRise = -Infinity;
  for (let i = Math.max(lo, span); i < Math.min(hi, bars.length); i++) {
    const rise = bars[i]!.close / bars[i - span]!.close;
    if (rise > bestRise) {
      bestRise = rise;
      best = i;
    }
  }
  return best;
}

/** Another venue's view of the same market: each price off by a little noise. */
export function jitter(bars: Bar[], fraction: number, seed: number): Bar[] {
  const rng = new Rng(seed);
  return bars.map((b) => {
    const f = 1 + rng.normal() * fraction;
    return { ...b, open: b.open * f, high: b.high * f, low: b.low * f, close: b.close * f, quoteVolume: b.quoteVolume * f };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
