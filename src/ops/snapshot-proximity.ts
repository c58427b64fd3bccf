import type { Proximity, ProximitySource } from '../../commands/framework.js';
import { nearer, proximityOf } from '../bot/shared/sources.js';
import { EwStats, alphaForHalfLife } from '../engine/core/math.js';
import type { Bar } from '../engine/core/types.js';
import { GAP_SPACING_HALF_LIFE, isDataGap, type EngineOptions } from '../engine/options.js';
import type { Thresholds } from '../engine/ports/store.js';
import { BarRing } from '../engine/windows/bar-ring.js';
import { emptyMove, windowMove, type WindowMove } from '../engine/windows/move.js';
import type { BoardLine } from './market-board.js';
import type { SnapshotBarSource, Windows } from './snapshot-bars.js';

/**
 * Saved windows taken more than this many snapshot periods (`cluster.snapshotMs`) ago are stale:
 * their closeness is shown "as of" when they were taken. Engines save every period and the bot
 * reuses a read for half a period, so a running engine's snapshot is at most about 1.5 periods
 * old; 3 leaves room for one missed save.
 */
export const PROXIMITY_STALE_PERIODS = 3;

type MoveOptions = Pick<EngineOptions, 'shortBarMs' | 'longBarMs' | 'gapMs'>;

/**
 * Start of the first bar after the newest gap in the bars, by the engine's gap rule (a silence
 * longer than `gapMs` and GAP_TYPICAL_MULTIPLE times the usual spacing), as an engine restoring
 * these bars finds it; -Infinity without a gap.
 */
export function gapStart(short: readonly Bar[], shortBarMs: number, gapMs: number): number {
  const spacing = new EwStats(alphaForHalfLife(GAP_SPACING_HALF_LIFE));
  let gap = -Infinity;
  for (let i = 1; i < short.length; i++) {
    const ts = (short[i] as Bar).ts;
    const prevTs = (short[i - 1] as Bar).ts;
    const dt = Math.max(1, Math.round((ts - prevTs) / shortBarMs));
    const usual = spacing.n > 0 ? spacing.mean : 1;
    if (isDataGap(prevTs, ts, dt, usual, { shortBarMs, gapMs })) gap = ts;
    else spacing.update(dt);
  }
  return gap;
}

function ringOf(bars: readonly Bar[], barMs: number): BarRing {
  const ring = new BarRing(Math.max(2, bars.length), barMs);
  for (const b of bars) if (b.ts > ring.lastTs) ring.pushBar(b);
  return ring;
}

/**
 * The move over the last windowMs up to the newest saved bar, measured as the engine's
 * `StreamState.moveOver` does (windowMove over the short ring, then the long one, never across
 * the newest gap). null without short bars.
 */
export function savedMove(w: Windows, windowMs: number, o: MoveOptions): WindowMove | null {
  if (w.short.length === 0) return null;
  const short = ringOf(w.short, o.shortBarMs);
  const end = short.lastTs + o.shortBarMs;
  const from = Math.max(end - windowMs, gapStart(w.short, o.shortBarMs, o.gapMs));
  return windowMove(short, ringOf(w.long, o.longBarMs), from, emptyMove());
}

export interface SnapshotProximityOptions {
  /** Older newest bars make the answer stale (marked `asOf`). */
  staleAfterMs: number;
  now?: (() => number) | undefined;
}

/**
 * Closeness to firing for processes without an engine (the bot role): the move over the rule's
 * window measured on the window snapshots the engines save (read through SnapshotBarSource), and
 * the latest score from the market board when a board is given. The nearest venue counts, as on
 * a live engine; fresh venues are preferred to stale ones, and a stale answer (its snapshot was
 * taken more than `staleAfterMs` ago: no engine saved the stream lately) carries `asOf`, when it
 * was taken. A pair that simply has not traded since its newest bar is not stale while its engine
 * keeps saving it: the live engine, too, answers from that bar. (A snapshot that does not say when
 * it was taken counts from the end of its newest bar.)
 */
export class SnapshotProximity implements ProximitySource {
  private readonly now: () => number;

  constructor(
    private readonly bars: Pick<SnapshotBarSource, 'load' | 'windows'>,
    private readonly options: MoveOptions,
    private readonly board: { lines(): Promise<BoardLine[]> } | null,
    private readonly opts: SnapshotProximityOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async proximity(symbol: string, venue: string | undefined, t: Thresholds): Promise<Proximity | null> {
    const [, lines] = await Promise.all([this.bars.load(symbol), this.board ? this.board.lines() : Promise.resolve([])]);
    const now = this.now();
    let best: Proximity | null = null;
    for (const { venue: v, windows } of this.bars.windows(symbol, venue)) {
      const m = savedMove(windows, t.moveWindowMs, this.options);
      if (!m) continue;
      const score = lines.find((l) => l.venue === v && l.symbol === symbol)?.score;
      const p = proximityOf(m, t, typeof score === 'number' ? score : undefined);
      const endTs = (windows.short[windows.short.length - 1] as Bar).ts + this.options.shortBarMs;
      const takenAt = Number.isFinite(windows.savedAt) ? Math.max(windows.savedAt, endTs) : endTs;
      if (now - takenAt > this.opts.staleAfterMs) p.asOf = takenAt;
      if (!best || better(p, best)) best = p;
    }
    return best;
  }
}

/** Fresh before stale, then the nearer to firing (as on a live engine). */
function better(a: Proximity, b: Proximity): boolean {
  if ((a.asOf === undefined) !== (b.asOf === undefined)) return a.asOf === undefined;
  return nearer(a, b);
}
