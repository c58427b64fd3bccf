import type { AlertEvent, Bar } from '../core/types.js';

/** The bars of one venue for a chart. */
export interface VenueSeries {
  venue: string;
  /** Oldest first. Missing bars are a gap: the chart draws a gap, never an interpolation. */
  bars: Bar[];
  /** Bar length in ms (1 s or 1 min), so that gaps can be told from quiet bars. */
  barMs: number;
}

export type ChartTheme = 'dark' | 'light';

export interface AlertChartRequest {
  alert: AlertEvent;
  /** The alerting venue first; other venues carrying the symbol after it. */
  series: VenueSeries[];
  /** Composite (cross-venue median) close per bar, when several venues are fresh. */
  composite?: Bar[] | undefined;
  theme?: ChartTheme | undefined;
  /** IANA time zone for the time axis; UTC when absent. */
  timeZone?: string | undefined;
}

export interface RangeChartRequest {
  symbol: string;
  /** `15m`, `1h`, `4h`, `24h`, `7d`. */
  range: string;
  series: VenueSeries[];
  composite?: Bar[] | undefined;
  /** Recent alerts in the range, marked on the chart. */
  alerts: AlertEvent[];
  theme?: ChartTheme | undefined;
  timeZone?: string | undefined;
}

/** Renders chart PNGs. Implementations cache by alert id and never block the tick path. */
export interface ChartPort {
  renderAlert(req: AlertChartRequest): Promise<Uint8Array>;
  renderRange(req: RangeChartRequest): Promise<Uint8Array>;
}

/** Where chart data comes from: the engine's live windows, or stored bars. */
export interface BarSource {
  /** Bars of every venue carrying the alert's symbol around the alert time. */
  seriesAround(alert: AlertEvent, beforeMs: number, afterMs: number): VenueSeries[];
  /** Bars of every venue carrying the symbol over the last rangeMs. */
  seriesFor(symbol: string, rangeMs: number, venue?: string): VenueSeries[];
}
