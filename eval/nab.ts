/**
 * The Numenta Anomaly Benchmark's scoring rules (NAB v1.1, numenta/NAB `nab/sweeper.py`,
 * `nab/optimizer.py`, `nab/runner.py`), written from their published description:
 *
 * - the first `probationaryPercent` of each file (at most that share of 5,000 rows) is not scored;
 * - a detection inside a labelled window earns tpWeight times a scaled sigmoid of its position
 *   (1 at the window's left edge, falling towards 0 at its right edge); only the earliest detection
 *   of a window counts; a window with none costs fnWeight;
 * - every detection outside a window costs fpWeight times a sigmoid of its distance past the
 *   preceding window (the full weight before any window or far after one);
 * - one threshold per profile, the one that maximises the total over the whole corpus;
 * - the total is normalised so that the null detector (no detections) scores 0 and the perfect
 *   detector (one detection at the start of every window) scores 100.
 */
import { readFileSync } from 'node:fs';
import type { Window } from './labels.js';

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export type Profiles = Readonly<Record<string, CostMatrix>>;

/** NAB's three published profiles, in the order the scoreboard prints them. */
export const NAB_PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;

/** Share of each file NAB leaves unscored while a detector learns. */
export const PROBATION_PERCENT = 0.15;
/** The probationary period is capped at PROBATION_PERCENT of this many rows. */
const PROBATION_CAP_ROWS = 5000;
/** Steepness of NAB's scaled sigmoid. */
const SIGMOID_STEEPNESS = 5;
/** Beyond this relative distance past a window a false positive costs its full weight. */
const FAR_PAST_WINDOW = 3;
/** NAB's sweep starts above every possible score: nothing detected. */
const START_THRESHOLD = 1.1;

/** Reads NAB's `config/profiles.json`. */
export function loadProfiles(path: string): Profiles {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { CostMatrix?: Partial<CostMatrix> }>;
  const out: Record<string, CostMatrix> = {};
  for (const [name, p] of Object.entries(raw)) {
    const c = p.CostMatrix;
    if (!c || typeof c.tpWeight !== 'number' || typeof c.fpWeight !== 'number' || typeof c.fnWeight !== 'number') {
      throw new Error(`${path}: profile ${name} lacks CostMatrix tpWeight/fpWeight/fnWeight`);
    }
    out[name] = { tpWeight: c.tpWeight, fpWeight: c.fpWeight, fnWeight: c.fnWeight };
  }
  return out;
}

export function probationaryLength(rows: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * PROBATION_CAP_ROWS);
}

/**
 * NAB's reward for a detection at a relative position: -1 is a window's left edge (0.98661),
 * 0 its right edge (0), positive values lie past it (down to -1).
 */
export function scaledSigmoid(position: number): number {
  if (position >= FAR_PAST_WINDOW) return -1;
  return 2 / (1 + Math.exp(SIGMOID_STEEPNESS * position)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/**
 * The scorable rows of one or more files, ready for the threshold sweep. For each row: its anomaly
 * score, its window (an id unique across the combined files, or -1 outside every window) and its
 * reward before the profile's weight (tp rows: sigmoid / max, fp rows: sigmoid, negative).
 */
export interface SweepRows {
  score: Float64Array;
  reward: Float64Array;
  window: Int32Array;
  /** Labelled windows, whether or not they have scorable rows (NAB's "perfect" counts them all). */
  windows: number;
  /** Windows with at least one scorable row (each costs fnWeight when missed). */
  scorableWindows: number;
}

/** Row index ranges [left, right] of each window, the way NAB finds them (exact timestamps first). */
function windowRows(ts: ArrayLike<number>, windows: readonly Window[]): { left: number; right: number }[] {
  const n = ts.length;
  const out: { left: number; right: number }[] = [];
  let from = 0;
  for (const w of windows) {
    let left = -1;
    for (let i = from; i < n; i++) {
      if (ts[i] === w.start) {
        left = i;
        break;
      }
    }
    if (left < 0) {
      // No row carries the exact start: the first row at or after it.
      for (let i = from; i < n; i++) {
        if (ts[i] >= w.start) {
          left = i;
          break;
        }
      }
    }
    if (left < 0) continue;
    let right = -1;
    for (let i = 0; i < n; i++) {
      if (ts[i] === w.end) {
        right = i;
        break;
      }
    }
    if (right < left) {
      right = left;
      for (let i = left; i < n && ts[i] <= w.end; i++) right = i;
      if (ts[left] > w.end) continue;
    }
    out.push({ left, right });
    from = right + 1;
  }
  return out;
}

/**
 * One file's rows for the sweep (NAB's calcSweepScore): per row the reward it would earn if it
 * were a detection. `firstWindowId` makes window ids unique when files are combined.
 */
export function sweepRows(ts: ArrayLike<number>, scores: ArrayLike<number>, windows: readonly Window[], firstWindowId = 0, probationPercent = PROBATION_PERCENT): SweepRows {
  const n = ts.length;
  if (scores.length !== n) throw new RangeError(`${scores.length} scores for ${n} rows`);
  const probation = probationaryLength(n, probationPercent);
  const ranges = windowRows(ts, windows);
  const start = Math.min(n, Math.ceil(probation));
  const m = n - start;
  const score = new Float64Array(m);
  const reward = new Float64Array(m);
  const win = new Int32Array(m).fill(-1);
  const scorable = new Set<number>();
  let k = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    while (k < ranges.length && ranges[k].right < i) {
      prevRight = ranges[k].right;
      prevWidth = ranges[k].right - ranges[k].left + 1;
      k++;
    }
    const r = k < ranges.length && ranges[k].left <= i ? ranges[k] : null;
    let value: number;
    if (r) {
      const width = r.right - r.left + 1;
      value = scaledSigmoid(-(r.right - i + 1) / width) / MAX_TP;
    } else {
      const past = prevRight < 0 ? FAR_PAST_WINDOW : Math.abs(prevRight - i) / Math.max(1, prevWidth - 1);
      value = scaledSigmoid(past);
    }
    if (i < probation) continue;
    const j = i - start;
    score[j] = scores[i];
    reward[j] = value;
    if (r) {
      win[j] = firstWindowId + k;
      scorable.add(k);
    }
  }
  return { score, reward, window: win, windows: windows.length, scorableWindows: scorable.size };
}

/** Concatenates the rows of several files (their window ids must already be distinct). */
export function combineRows(parts: readonly SweepRows[]): SweepRows {
  const n = parts.reduce((a, p) => a + p.score.length, 0);
  const out: SweepRows = { score: new Float64Array(n), reward: new Float64Array(n), window: new Int32Array(n), windows: 0, scorableWindows: 0 };
  let at = 0;
  for (const p of parts) {
    out.score.set(p.score, at);
    out.reward.set(p.reward, at);
    out.window.set(p.window, at);
    at += p.score.length;
    out.windows += p.windows;
    out.scorableWindows += p.scorableWindows;
  }
  return out;
}

export interface ThresholdScore {
  /** Rows scoring at least this are detections. */
  threshold: number;
  /** Raw NAB score. */
  score: number;
  /** Detected rows inside windows, and outside them (NAB counts rows). */
  tpRows: number;
  fpRows: number;
  /** Windows with at least one detection. */
  detectedWindows: number;
}

/**
 * NAB's calcScoreByThreshold: the raw score at every distinct anomaly score, from above the
 * highest (nothing detected) down to the lowest (everything detected).
 */
export function scoresByThreshold(rows: SweepRows, cost: CostMatrix): ThresholdScore[] {
  const n = rows.score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rows.score[b] - rows.score[a]);
  const best = new Map<number, number>();
  let windowPart = -cost.fnWeight * rows.scorableWindows;
  let fpPart = 0;
  let tpRows = 0;
  let fpRows = 0;
  let cur = START_THRESHOLD;
  const out: ThresholdScore[] = [];
  for (const i of order) {
    const s = rows.score[i];
    if (s !== cur) {
      out.push({ threshold: cur, score: windowPart + fpPart, tpRows, fpRows, detectedWindows: best.size });
      cur = s;
    }
    const w = rows.window[i];
    if (w < 0) {
      fpRows++;
      fpPart += rows.reward[i] * cost.fpWeight;
    } else {
      tpRows++;
      const v = rows.reward[i] * cost.tpWeight;
      const was = best.get(w) ?? -cost.fnWeight;
      if (v > was) windowPart += v - was;
      best.set(w, Math.max(v, was));
    }
  }
  out.push({ threshold: cur, score: windowPart + fpPart, tpRows, fpRows, detectedWindows: best.size });
  return out;
}

/** The threshold with the highest raw score (the highest such threshold on ties), as NAB's optimiser picks it. */
export function optimiseThreshold(rows: SweepRows, cost: CostMatrix): ThresholdScore {
  let top: ThresholdScore | null = null;
  for (const t of scoresByThreshold(rows, cost)) if (!top || t.score > top.score) top = t;
  return top!;
}

/** The raw score when every row scoring at least `threshold` is a detection. */
export function scoreAt(rows: SweepRows, cost: CostMatrix, threshold: number): ThresholdScore {
  const best = new Map<number, number>();
  let fpPart = 0;
  let tpRows = 0;
  let fpRows = 0;
  for (let i = 0; i < rows.score.length; i++) {
    if (!(rows.score[i] >= threshold)) continue;
    const w = rows.window[i];
    if (w < 0) {
      fpRows++;
      fpPart += rows.reward[i] * cost.fpWeight;
    } else {
      tpRows++;
      const v = rows.reward[i] * cost.tpWeight;
      best.set(w, Math.max(best.get(w) ?? -cost.fnWeight, v));
    }
  }
  let windowPart = -cost.fnWeight * (rows.scorableWindows - best.size);
  for (const v of best.values()) windowPart += v;
  return { threshold, score: windowPart + fpPart, tpRows, fpRows, detectedWindows: best.size };
}

/** NAB's normalisation: the null detector scores 0, the perfect detector 100. */
export function normalise(raw: number, nullScore: number, perfect: number): number {
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

export interface ProfileResult {
  profile: string;
  threshold: number;
  raw: number;
  /** Normalised score (null 0, perfect 100). */
  score: number;
  nullScore: number;
  perfect: number;
  tpRows: number;
  fpRows: number;
  detectedWindows: number;
  windows: number;
}

/** One detector's NAB result on a corpus, per profile, with the threshold optimised per profile. */
export function nabResult(rows: SweepRows, profiles: Profiles): ProfileResult[] {
  return Object.entries(profiles).map(([profile, cost]) => {
    const best = optimiseThreshold(rows, cost);
    const nullScore = -cost.fnWeight * rows.scorableWindows;
    const perfect = cost.tpWeight * rows.windows;
    return {
      profile,
      threshold: best.threshold,
      raw: best.score,
      score: normalise(best.score, nullScore, perfect),
      nullScore,
      perfect,
      tpRows: best.tpRows,
      fpRows: best.fpRows,
      detectedWindows: best.detectedWindows,
      windows: rows.windows,
    };
  });
}
