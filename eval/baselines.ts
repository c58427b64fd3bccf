/**
 * Baseline detectors the engine is measured against. Each sees the same bars in the same order
 * (a NAB row is one bar; trades are folded into 1-second bars, as the engine does), scores every
 * bar in [0, 1] with no look-ahead, and names the score at which it alerts.
 *
 * - `pct-move`: a fixed percentage-move alert ("X% within Y"), what most price bots do.
 * - `pump-kk`: price and volume both far above their rolling means, in the style of Kamps and
 *   Kleinberg, "To the moon: defining and detecting cryptocurrency pump-and-dumps" (Crime Science
 *   7, 2018). Upward only, as a pump detector is; on series without volume only its price test
 *   applies.
 * - `gaussian`: NAB's windowedGaussian (numenta/NAB `nab/detectors/gaussian`): the tail
 *   probability of the value under a normal fitted to a sliding window of the past 6,400 values,
 *   refitted every 100. On prices it reads 1-second log returns instead of the level.
 */
import { erfc } from '../src/engine/core/math.js';

export type BarKind = 'series' | 'price';

/** One bar as the baselines see it. `volume` is quote volume (0 for series). */
export interface BaselineBar {
  ts: number;
  close: number;
  volume: number;
}

export interface Baseline {
  readonly name: string;
  /** Bars scoring at least this alert. */
  readonly alertScore: number;
  update(bar: BaselineBar): number;
}

export const BASELINE_NAMES = ['pct-move', 'pump-kk', 'gaussian'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** Maps a non-negative magnitude onto [0, 1) monotonically (Infinity -> 1). */
function squash(x: number): number {
  if (!(x > 0)) return 0;
  return x === Infinity ? 1 : x / (1 + x);
}

/** Fractional move from a to b; Infinity when a is 0 and b is not. */
function rel(a: number, b: number): number {
  if (a === b) return 0;
  return a === 0 ? Infinity : Math.abs(b - a) / Math.abs(a);
}

/** Sum and count of values in a sliding time window. */
class TimeWindow {
  private ts: number[] = [];
  private v: number[] = [];
  private head = 0;
  sum = 0;
  constructor(private readonly spanMs: number) {}
  get count(): number {
    return this.ts.length - this.head;
  }
  push(ts: number, v: number): void {
    this.ts.push(ts);
    this.v.push(v);
    this.sum += v;
  }
  /** Drops values older than `now - spanMs` (exclusive). */
  expire(now: number): void {
    while (this.head < this.ts.length && this.ts[this.head] <= now - this.spanMs) {
      this.sum -= this.v[this.head];
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.v = this.v.slice(this.head);
      this.head = 0;
      this.sum = this.v.reduce((a, b) => a + b, 0);
    }
  }
  /** Oldest and newest extremes, for moves from the window's low and high. */
  minMax(): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = this.head; i < this.v.length; i++) {
      const x = this.v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return [lo, hi];
  }
}

/** Fixed percentage move: the largest move from the window's low or high to the close. */
export const PCT_MOVE = {
  /** Alert at a move of this fraction (1%: the move the `normal` preset also requires). */
  alertMove: 0.01,
  /** Window for prices (the presets' move window). */
  priceWindowMs: 5 * 60_000,
  /** Window for series, in rows (the CLI's series move window). */
  seriesRows: 12,
} as const;

export class PctMoveBaseline implements Baseline {
  readonly name = 'pct-move';
  readonly alertScore = squash(PCT_MOVE.alertMove);
  private readonly win: TimeWindow;
  private readonly rows: number[] = [];
  constructor(private readonly kind: BarKind) {
    this.win = new TimeWindow(PCT_MOVE.priceWindowMs);
  }
  update(bar: BaselineBar): number {
    let lo: number;
    let hi: number;
    if (this.kind === 'series') {
      this.rows.push(bar.close);
      if (this.rows.length > PCT_MOVE.seriesRows + 1) this.rows.shift();
      lo = Math.min(...this.rows);
      hi = Math.max(...this.rows);
    } else {
      this.win.push(bar.ts, bar.close);
      this.win.expire(bar.ts);
      [lo, hi] = this.win.minMax();
    }
    return squash(Math.max(rel(lo, bar.close), rel(hi, bar.close)));
  }
}

/** Price-and-volume pump test. */
export const PUMP_KK = {
  /** Close at least this fraction above the rolling mean close. */
  priceRise: 0.01,
  /** Volume over VOLUME_SPAN at least this multiple of its rolling mean. */
  volumeMultiple: 3,
  /** Rolling means over this much history (prices). */
  priceWindowMs: 60 * 60_000,
  /** Volume is summed over this span and compared with the mean over the same span length. */
  volumeSpanMs: 30_000,
  /** Rolling window for series, in rows. */
  seriesRows: 12,
} as const;

export class PumpBaseline implements Baseline {
  readonly name = 'pump-kk';
  /** The score at which both tests pass exactly (each test's excess over its bar is 1). */
  readonly alertScore = squash(1);
  private readonly closes: TimeWindow;
  private readonly vols: TimeWindow;
  private readonly recent: TimeWindow;
  private readonly rows: number[] = [];
  private first = -1;
  constructor(private readonly kind: BarKind) {
    this.closes = new TimeWindow(PUMP_KK.priceWindowMs);
    this.vols = new TimeWindow(PUMP_KK.priceWindowMs);
    this.recent = new TimeWindow(PUMP_KK.volumeSpanMs);
  }
  update(bar: BaselineBar): number {
    if (this.kind === 'series') {
      const n = this.rows.length;
      const mean = n ? this.rows.reduce((a, b) => a + b, 0) / n : bar.close;
      this.rows.push(bar.close);
      if (this.rows.length > PUMP_KK.seriesRows) this.rows.shift();
      if (n === 0) return 0;
      const up = mean === 0 ? (bar.close > 0 ? Infinity : 0) : (bar.close - mean) / Math.abs(mean);
      return squash(up / PUMP_KK.priceRise);
    }
    if (this.first < 0) this.first = bar.ts;
    this.closes.expire(bar.ts);
    this.vols.expire(bar.ts);
    this.recent.expire(bar.ts);
    const n = this.closes.count;
    const meanClose = n ? this.closes.sum / n : bar.close;
    const history = Math.min(PUMP_KK.priceWindowMs, Math.max(PUMP_KK.volumeSpanMs, bar.ts - this.first));
    const meanSpanVol = (this.vols.sum * PUMP_KK.volumeSpanMs) / history;
    this.closes.push(bar.ts, bar.close);
    this.vols.push(bar.ts, bar.volume);
    this.recent.push(bar.ts, bar.volume);
    if (n === 0 || !(meanSpanVol > 0)) return 0;
    const price = (bar.close / meanClose - 1) / PUMP_KK.priceRise;
    const volume = this.recent.sum / meanSpanVol / PUMP_KK.volumeMultiple;
    return squash(Math.min(price, volume));
  }
}

/** NAB's windowedGaussian constants. */
export const GAUSSIAN = {
  windowSize: 6400,
  stepSize: 100,
  /** Smallest standard deviation (NAB's). */
  minStd: 0.000001,
  /** Alert at this many standard deviations (the score is 1 - Q(z)). */
  alertZ: 5,
} as const;

/**
 * Significant digits NAB's published result files keep (Python 2's str() of a float). The
 * scoreboard's numbers were computed from those files, so a score of 1 - 4e-14 counts as 1.0 there.
 */
const PUBLISHED_DIGITS = 12;

/** 1 - Q(z): the one-sided normal score NAB's windowedGaussian reports, as its result files store it. */
export function gaussianScore(z: number): number {
  return Number((1 - 0.5 * erfc(Math.abs(z) / Math.SQRT2)).toPrecision(PUBLISHED_DIGITS));
}

export class GaussianBaseline implements Baseline {
  readonly name = 'gaussian';
  readonly alertScore = gaussianScore(GAUSSIAN.alertZ);
  private window: number[] = [];
  private step: number[] = [];
  private mean = 0;
  private std = 1;
  /** Welford's running moments while the window is still filling. */
  private m2 = 0;
  private prev = NaN;
  constructor(private readonly kind: BarKind) {}
  update(bar: BaselineBar): number {
    let x = bar.close;
    if (this.kind === 'price') {
      const p = this.prev;
      this.prev = bar.close;
      if (!(p > 0) || !(bar.close > 0)) return 0;
      x = Math.log(bar.close / p);
    }
    const w = this.window;
    const score = w.length > 0 ? gaussianScore((x - this.mean) / this.std) : 0;
    if (w.length < GAUSSIAN.windowSize) {
      w.push(x);
      const n = w.length;
      const mean = n === 1 ? x : this.mean + (x - this.mean) / n;
      this.m2 += (x - this.mean) * (x - mean);
      this.mean = mean;
      if (n === 1) this.m2 = 0;
      this.setStd(Math.sqrt(this.m2 / n));
    } else {
      this.step.push(x);
      if (this.step.length === GAUSSIAN.stepSize) {
        this.window = w.slice(GAUSSIAN.stepSize).concat(this.step);
        this.step = [];
        this.refit();
      }
    }
    return score;
  }
  private setStd(std: number): void {
    this.std = std === 0 ? GAUSSIAN.minStd : std;
  }
  /** Population mean and standard deviation of the window, two-pass (as numpy computes them). */
  private refit(): void {
    const w = this.window;
    let s = 0;
    for (const v of w) s += v;
    const mean = s / w.length;
    let q = 0;
    for (const v of w) q += (v - mean) * (v - mean);
    this.mean = mean;
    this.setStd(Math.sqrt(q / w.length));
  }
}

export function makeBaseline(name: BaselineName, kind: BarKind): Baseline {
  switch (name) {
    case 'pct-move':
      return new PctMoveBaseline(kind);
    case 'pump-kk':
      return new PumpBaseline(kind);
    case 'gaussian':
      return new GaussianBaseline(kind);
  }
}
