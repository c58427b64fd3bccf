import type { BarRing } from './bar-ring.js';

/** Largest moves up and down inside a window, measured from the window's extremes to the close. */
export interface WindowMove {
  close: number;
  /** Fractional move up from the window's lowest low (>= 0). */
  up: number;
  upFrom: number;
  upFromTs: number;
  /** Short-ring slot of the bar the move up starts at; -1 when that bar is in the long ring. */
  upFromSlot: number;
  /** Fractional move down from the window's highest high (<= 0). */
  down: number;
  downFrom: number;
  downFromTs: number;
  /** Short-ring slot of the bar the move down starts at; -1 when that bar is in the long ring. */
  downFromSlot: number;
  /** Quote volume traded in the window. */
  quoteVolume: number;
  /**
   * Standard deviation of the stream's per-bar returns before this move, and the bar length: a
   * move over t ms is compared with sigma * sqrt(t / barMs). Filled by the stream.
   */
  sigma: number;
  /**
   * The same spread as it stood when each move began (at `upFromTs`, `downFromTs`), or a little
   * before the newest bar if the move began earlier (the stream's YARDSTICK_LAG_MS): the bars of a
   * crash cannot widen the yardstick the crash is measured with. Filled by the stream; `sigma`
   * where it does not know.
   */
  upSigma: number;
  downSigma: number;
  barMs: number;
  /**
   * The spread of returns over `horizonMs` (0 while unknown): now, and as it stood for each move
   * as `upSigma` and `downSigma` do. Filled by the stream.
   */
  sigmaH: number;
  upSigmaH: number;
  downSigmaH: number;
  horizonMs: number;
  /**
   * The part of the horizon spread that is bid-ask bounce (`BidAskBounce`), on the same scale: it
   * does not add up over time, so only the rest is scaled past the horizon. 0 when unknown.
   * Filled by the stream.
   */
  bounce: number;
  /**
   * The stream's price increment as its trades show it: the smallest change seen between two
   * consecutive trades' prices (the venue's tick, where prices sit on a grid). 0 while unknown.
   * Filled by the stream.
   */
  priceStep: number;
  /** 'log' when moves are relative (prices), 'diff' when absolute (other series). */
  returns: 'log' | 'diff';
}

/**
 * Settled prices of the short ring's bars (BarBuilder's `settledLow`, `settledHigh`,
 * `settledClose`), by slot: a move measured in them is not made by the deeper fills of one order
 * that swept a thin book.
 */
export interface SettledPrices {
  low: ArrayLike<number>;
  high: ArrayLike<number>;
  close: ArrayLike<number>;
}

/**
 * Scans the bars with start >= fromTs (newest first) in the short ring, continuing into the long
 * ring for windows longer than the short ring holds. `fromTs` is already clipped by the caller at
 * the last data gap, so that a jump across a gap is never measured as a move. With `settled`, the
 * short ring's bars are read at their settled prices.
 */
export function windowMove(short: BarRing, long: BarRing | null, fromTs: number, out: WindowMove, settled?: SettledPrices): WindowMove {
  const n = short.length;
  const newest = short.slot(0);
  const close = (settled ? settled.close : short.close)[newest];
  const lows = settled ? settled.low : short.low;
  const highs = settled ? settled.high : short.high;
  let lo = Infinity;
  let loTs = short.ts[newest];
  let loSlot = newest;
  let hi = -Infinity;
  let hiTs = loTs;
  let hiSlot = newest;
  let qv = 0;
  let oldest = Infinity;
  for (let back = 0; back < n; back++) {
    const s = short.slot(back);
    const t = short.ts[s];
    if (t < fromTs) break;
    oldest = t;
    if (lows[s] < lo) {
      lo = lows[s];
      loTs = t;
      loSlot = s;
    }
    if (highs[s] > hi) {
      hi = highs[s];
      hiTs = t;
      hiSlot = s;
    }
    qv += short.quoteVolume[s];
  }
  // The short ring ran out before the window did: older history is in the long ring.
  if (long && long.length > 0 && (n === 0 || short.ts[short.slot(n - 1)] > fromTs) && oldest > fromTs) {
    for (let back = 0; back < long.length; back++) {
      const s = long.slot(back);
      const t = long.ts[s];
      if (t + long.barMs > oldest) continue; // overlaps bars already counted
      if (t < fromTs) break;
      if (long.low[s] < lo) {
        lo = long.low[s];
        loTs = t;
        loSlot = -1;
      }
      if (long.high[s] > hi) {
        hi = long.high[s];
        hiTs = t;
        hiSlot = -1;
      }
      qv += long.quoteVolume[s];
    }
  }
  out.close = close;
  out.up = lo > 0 ? close / lo - 1 : 0;
  out.upFrom = lo;
  out.upFromTs = loTs;
  out.upFromSlot = loSlot;
  out.down = hi > 0 ? close / hi - 1 : 0;
  out.downFrom = hi;
  out.downFromTs = hiTs;
  out.downFromSlot = hiSlot;
  out.quoteVolume = qv;
  return out;
}

export function emptyMove(): WindowMove {
  return { close: 0, up: 0, upFrom: 0, upFromTs: 0, upFromSlot: -1, down: 0, downFrom: 0, downFromTs: 0, downFromSlot: -1, quoteVolume: 0, sigma: 0, upSigma: 0, downSigma: 0, barMs: 1000, sigmaH: 0, upSigmaH: 0, downSigmaH: 0, horizonMs: 30_000, bounce: 0, priceStep: 0, returns: 'log' };
}

/** How many price increments (`priceStep`) a move from `from` to the close spans; Infinity while the increment is unknown. */
export function moveSteps(m: WindowMove, from: number): number {
  return m.priceStep > 0 ? Math.abs(m.close - from) / m.priceStep : Infinity;
}

/**
 * How many standard deviations a move is: its return (log, or absolute difference) over the
 * smaller of two yardsticks, each the spread as it stood when the move began (defaults: `m.sigma`,
 * `m.sigmaH`): the per-bar spread scaled by the square root of the bars the move took (a random
 * walk's rule), and the spread of `horizonMs` returns, of which only the part that is not bounce
 * (`m.bounce`) grows beyond that horizon. They agree on a random walk; where bid-ask bounce fills
 * the per-bar spread without adding up over time, the horizon's is the true measure. Infinity
 * when the stream has no spread yet.
 */
export function moveSigmas(m: WindowMove, from: number, elapsedMs: number, sigma = m.sigma, sigmaH = m.sigmaH): number {
  const r = m.returns === 'log' ? (from > 0 && m.close > 0 ? Math.log(m.close / from) : 0) : m.close - from;
  const scale = yardstick(elapsedMs, sigma, m.barMs, sigmaH, m.horizonMs, m.bounce);
  return scale > 0 ? Math.abs(r) / scale : Infinity;
}

/**
 * At most this share of the horizon spread's variance is read as bid-ask bounce: the rest is the
 * market's own movement, which adds up over time. A bound on how far past its horizon the
 * yardstick can shrink against the square-root rule (at 0.8 and ten horizons, to 0.53 of it).
 */
export const BOUNCE_MAX_SHARE = 0.8;

/**
 * The spread of a move over `elapsedMs`: the smaller of the per-bar spread `sigma` scaled by the
 * square root of the bars it covers and the horizon spread `sigmaH` (0: unknown) past its
 * horizon, where only the part of its variance that is not `bounce` grows with time.
 */
export function yardstick(elapsedMs: number, sigma: number, barMs: number, sigmaH: number, horizonMs: number, bounce = 0): number {
  const perBar = sigma * Math.sqrt(Math.max(1, elapsedMs / barMs));
  if (!(sigmaH > 0)) return perBar;
  const share = Math.min(BOUNCE_MAX_SHARE, (bounce * bounce) / (sigmaH * sigmaH));
  const k = Math.max(1, elapsedMs / horizonMs);
  return Math.min(perBar, sigmaH * Math.sqrt(share + (1 - share) * k));
}
