import type { AlertEvent, Bar } from '../core/types.js';
import type { CompositeBook } from './composite.js';

export interface ConsensusOptions {
  /** Another venue confirms when it moved the same way by at least this share of the alert's move. */
  confirmRatio: number;
}

export const CONSENSUS_DEFAULTS: Readonly<ConsensusOptions> = Object.freeze({ confirmRatio: 0.5 });

/** Short bars of a stream over a time range (the engine's windows). */
export interface BarHistory {
  bars(venue: string, symbol: string, fromTs: number, toTs: number): Bar[];
}

/**
 * Attaches cross-venue consensus to an alert: the fresh venues carrying the symbol, and those that
 * moved the same way over the alert's window by at least confirmRatio of its move. Most fresh
 * venues confirming make it market-wide, otherwise it is venue-specific. Alerts that already carry
 * a consensus (divergence) and symbols only one venue carries are left alone.
 */
export function consensusDecorator(book: CompositeBook, history: BarHistory, opt: Partial<ConsensusOptions> = {}): (a: AlertEvent) => void {
  const { confirmRatio } = { ...CONSENSUS_DEFAULTS, ...opt };
  return (a) => {
    if (a.consensus) return;
    const others = book.fresh(a.symbol, a.ts, a.venue);
    if (others.length === 0) return;
    const move = a.change.pct / 100;
    const need = Math.abs(move) * confirmRatio;
    const confirming = [a.venue];
    for (const o of others) {
      const m = moveOf(history.bars(o.venue, a.symbol, a.change.fromTs, a.ts));
      if (m !== undefined && Math.sign(m) === Math.sign(move) && Math.abs(m) >= need) confirming.push(o.venue);
    }
    const fresh = [a.venue, ...others.map((o) => o.venue)].sort();
    a.consensus = { kind: confirming.length * 2 > fresh.length ? 'market-wide' : 'venue-specific', confirming: confirming.sort(), fresh };
  };
}

/** Relative move from the first bar's open to the last bar's close; undefined without bars. */
function moveOf(bars: readonly Bar[]): number | undefined {
  if (bars.length === 0) return undefined;
  const from = bars[0].open;
  const to = bars[bars.length - 1].close;
  return from > 0 ? to / from - 1 : undefined;
}
