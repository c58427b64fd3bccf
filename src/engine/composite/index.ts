import type { AlertEvent, Bar, Evaluation } from '../core/types.js';
import type { StatusSource } from '../ports/feed.js';
import { CompositeBook, type Composite, type CompositeOptions } from './composite.js';
import { consensusDecorator, type BarHistory, type ConsensusOptions } from './consensus.js';
import { DIVERGENCE_DEFAULTS, DivergenceDetector, type DivergenceOptions } from './divergence.js';

export { CompositeBook, COMPOSITE_DEFAULTS, median, type Composite, type CompositeOptions, type VenuePrice } from './composite.js';
export { DivergenceDetector, DIVERGENCE, DIVERGENCE_DEFAULTS, type DivergenceOptions, type VenueBar } from './divergence.js';
export { consensusDecorator, CONSENSUS_DEFAULTS, type BarHistory, type ConsensusOptions } from './consensus.js';

/** What the cross-venue layer needs from the engine (the Engine class provides all of it). */
export interface CrossVenueHost {
  onEvaluation(fn: (ev: Evaluation) => void): () => void;
  addAlertDecorator(fn: (a: AlertEvent) => void): () => void;
  publish(a: AlertEvent): void;
  noteBreakaway(a: AlertEvent, windowMs: number): void;
  find(venue: string, symbol: string): { bars(resolution: 'short' | 'long', fromTs?: number, toTs?: number): Bar[] } | undefined;
}

export interface CrossVenueOptions {
  composite?: Partial<CompositeOptions>;
  divergence?: Partial<DivergenceOptions>;
  consensus?: Partial<ConsensusOptions>;
  /** Feed statuses: venues that are not live are left out of the composite. */
  statuses?: StatusSource;
}

export interface CrossVenue {
  readonly book: CompositeBook;
  /** The composite price of a symbol now (or at `at`, venue time). */
  composite(symbol: string, at?: number): Composite | undefined;
  detach(): void;
}

/**
 * Wires the composite, the divergence detector and the consensus decorator into an engine: every
 * closed bar updates the composite and is judged for divergence (alerts go through engine.publish),
 * and every alert gets its consensus.
 */
export function attachCrossVenue(engine: CrossVenueHost, o: CrossVenueOptions = {}): CrossVenue {
  const book = new CompositeBook(o.composite, o.statuses);
  const divergence = new DivergenceDetector(book, o.divergence);
  // A venue's own alerts are part of its breakaway for as long as the breakaway would not alert again.
  const breakawayMs = o.divergence?.cooldownMs ?? DIVERGENCE_DEFAULTS.cooldownMs;
  const history: BarHistory = { bars: (venue, symbol, from, to) => engine.find(venue, symbol)?.bars('short', from, to) ?? [] };
  const offEval = engine.onEvaluation((ev) => {
    book.update(ev.venue, ev.symbol, ev.ts, ev.price);
    for (const a of divergence.onBar(ev)) {
      engine.publish(a);
      engine.noteBreakaway(a, breakawayMs);
    }
  });
  const offDecor = engine.addAlertDecorator(consensusDecorator(book, history, o.consensus));
  return {
    book,
    composite: (symbol, at) => book.composite(symbol, at),
    detach: () => {
      offEval();
      offDecor();
    },
  };
}
