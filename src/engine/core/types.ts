/**
 * Domain types shared by every layer. Pure data: no behaviour, no imports outside core.
 */

/** Aggressor side of a trade, when the venue reports it. */
export type Side = 'buy' | 'sell';

/** One normalised trade. `ts` is epoch milliseconds (venue time). */
export interface Tick {
  venue: string;
  /** Unified `BASE/QUOTE`, e.g. `BTC/USDT`. */
  symbol: string;
  ts: number;
  price: number;
  qty: number;
  side?: Side | undefined;
  /** Venue trade id, used to drop duplicates when the venue repeats a trade. */
  id?: string | number | undefined;
}

/** A stream is one (venue, symbol). */
export interface StreamKey {
  venue: string;
  symbol: string;
}

/** `venue:symbol`, the stream's stable text id. */
export function streamId(key: StreamKey): string {
  return `${key.venue}:${key.symbol}`;
}

export function parseStreamId(id: string): StreamKey {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1) throw new Error(`not a stream id: ${id}`);
  return { venue: id.slice(0, i), symbol: id.slice(i + 1) };
}

/** A closed time bar, as a plain object (the windows keep them in typed arrays). */
export interface Bar {
  /** Bar start, epoch ms, aligned to the bar length. */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base volume. */
  volume: number;
  /** Quote volume: sum of price x qty. */
  quoteVolume: number;
  buyVolume: number;
  sellVolume: number;
  trades: number;
}

/**
 * Where a bar came from: live ticks; REST history filling a gap or warming a stream (its findings
 * may alert late, within lateAlertMaxAgeMs); or a saved snapshot replayed after a restart only to
 * warm the detectors (never alerts: the process that saved it has judged those bars already).
 */
export type BarOrigin = 'live' | 'backfill' | 'restore';

export type Direction = 'up' | 'down';
export type DirectionFilter = Direction | 'both';

/** What one detector says about one bar. */
export interface DetectorResult {
  /** In [0, 1]: how unusual the bar is by this detector's measure (1 - two-sided tail probability). */
  score: number;
  /**
   * The same finding as a surprise, -log10 of its tail probability, up to MAX_SURPRISE: it keeps
   * ranking bars whose scores have all rounded to 1.
   */
  surprise: number;
  /** Sign of the deviation: +1 up, -1 down, 0 none or not directional. */
  sign: -1 | 0 | 1;
  /** One short human phrase, e.g. `return 5.2σ above the 5-minute mean`. */
  explanation: string;
}

export interface DetectorScore {
  name: string;
  score: number;
  explanation: string;
}

/** A price move over a window, measured from the window's extreme to the current close. */
export interface PriceChange {
  /** Percent, signed (+6.4 means up 6.4%). */
  pct: number;
  /** Milliseconds between the extreme the move is measured from and the bar close. */
  windowMs: number;
  fromPrice: number;
  fromTs: number;
}

/** The ensemble's verdict on one closed bar of one stream. */
export interface Evaluation {
  venue: string;
  symbol: string;
  /** Bar start. */
  barTs: number;
  /** Bar end (the moment the verdict was possible). */
  ts: number;
  price: number;
  /** Calibrated ensemble score in [0, 1]: rarer than this fraction of the stream's own history. */
  score: number;
  /** Uncalibrated combined surprise (-log10 of a tail probability), for diagnostics. */
  surprise: number;
  sign: -1 | 0 | 1;
  detectors: DetectorScore[];
  quoteVolume: number;
  origin: BarOrigin;
  /** True for the first bar after a gap in the data: its jump is not evidence. */
  afterGap: boolean;
  /** True while the stream has too little history to alert. */
  warmingUp: boolean;
}

/** An alert, ready to render and deliver. */
export interface AlertEvent {
  /** Deterministic: the same stream, bar and direction always give the same id. */
  id: string;
  venue: string;
  symbol: string;
  /** Alert time (bar close), epoch ms. */
  ts: number;
  barTs: number;
  price: number;
  direction: Direction;
  change: PriceChange;
  score: number;
  /** Detectors whose own score passed the firing level, strongest first. */
  detectors: DetectorScore[];
  /** One line for people: what happened and why it is unusual. */
  explanation: string;
  /** Ids of the alert rules this event satisfied. */
  rules: string[];
  quoteVolume: number;
  /** True when found in backfilled data after a gap: reported once, after the fact. */
  late: boolean;
  /** Cross-venue consensus, when several venues carry the symbol. */
  consensus?: Consensus | undefined;
  /**
   * Set when another venue of the symbol already alerted on the same move: for these rules the
   * alert repeats that one (same direction, within the rule's cooldown, not beyond its re-arm
   * distance), so followers of the symbol on every venue are not told twice.
   */
  echo?: AlertEcho | undefined;
}

export interface AlertEcho {
  /** The first alert of the move. */
  of: string;
  venue: string;
  ts: number;
  /** Rules of this alert that the first one already reported (a subset of `rules`). */
  rules: string[];
  /** The first alert was this venue's breakaway from the others; this one is part of it (a step further or the way back). */
  breakaway?: boolean;
}

export interface Consensus {
  /** 'market-wide' when most fresh venues confirm the move, else 'venue-specific'. */
  kind: 'market-wide' | 'venue-specific';
  confirming: string[];
  fresh: string[];
}

/** A copy of an evaluation that stays valid after the next bar (the engine reuses its objects). */
export function copyEvaluation(ev: Evaluation): Evaluation {
  return { ...ev, detectors: ev.detectors.map((d) => ({ ...d })) };
}
