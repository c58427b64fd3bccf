import type { Bar, BarOrigin, Tick } from '../core/types.js';

export type IngestOutcome = 'ok' | 'duplicate' | 'late' | 'invalid';

/**
 * What feeds push into: the engine implements it. Ticks of one stream must arrive in time order,
 * give or take the engine's late-tick grace; a feed that backfills after a reconnect must hand
 * over the backfilled ticks (or bars) before the live ticks it buffered meanwhile.
 */
export interface TickSink {
  ingest(tick: Tick, origin?: BarOrigin): IngestOutcome;
  /** Closed short bars (e.g. built from REST trades) for one stream, oldest first. */
  ingestShortBars(venue: string, symbol: string, bars: readonly Bar[], origin: BarOrigin): number;
  /** Closed long (1-minute) bars from REST history, oldest first: they fill the long window only. */
  ingestLongBars(venue: string, symbol: string, bars: readonly Bar[]): number;
}
