import { describe, expect, it } from 'vitest';
import type { Window } from '../../eval/labels.js';
import { combineRows, nabResult, normalise, optimiseThreshold, probationaryLength, scaledSigmoid, scoreAt, sweepRows, type CostMatrix, type Profiles } from '../../eval/nab.js';

const STANDARD: CostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const LOW_FP: CostMatrix = { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 };
const LOW_FN: CostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };
const PROFILES: Profiles = { standard: STANDARD, reward_low_FP_rate: LOW_FP, reward_low_FN_rate: LOW_FN };

/** 1,000 rows one minute apart; 15% (150 rows) are probationary. */
const N = 1000;
const ts = Array.from({ length: N }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000);
const win = (from: number, to: number): Window => ({ start: ts[from], end: ts[to] });

function scoresWith(marks: Record<number, number>): Float64Array {
  const s = new Float64Array(N);
  for (const [i, v] of Object.entries(marks)) s[Number(i)] = v;
  return s;
}

describe('NAB scaled sigmoid', () => {
  it('rewards the left edge of a window with 2*sigmoid(5)-1, the right edge with 0, and costs -1 far past it', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
  });

  it('leaves 15% of the rows, at most 750, unscored', () => {
    expect(probationaryLength(1000)).toBe(150);
    expect(probationaryLength(22_695)).toBe(750);
  });
});

describe('NAB scoring of one file', () => {
  const windows = [win(500, 599)];

  it('GIVEN a detection at the first row of a window THEN it earns the full tpWeight', () => {
    const rows = sweepRows(ts, scoresWith({ 500: 1 }), windows);
    expect(scoreAt(rows, STANDARD, 0.5).score).toBeCloseTo(1, 12);
  });

  it('GIVEN a detection late in the window THEN it earns less than an early one, and only the earliest counts', () => {
    const late = scoreAt(sweepRows(ts, scoresWith({ 580: 1 }), windows), STANDARD, 0.5).score;
    const both = scoreAt(sweepRows(ts, scoresWith({ 520: 1, 580: 1 }), windows), STANDARD, 0.5).score;
    const early = scoreAt(sweepRows(ts, scoresWith({ 520: 1 }), windows), STANDARD, 0.5).score;
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThan(early);
    expect(both).toBeCloseTo(early, 12);
  });

  it("GIVEN a false positive before any window THEN it costs the profile's full fpWeight", () => {
    const fp = { 300: 1, 500: 1 };
    expect(scoreAt(sweepRows(ts, scoresWith(fp), windows), STANDARD, 0.5).score).toBeCloseTo(1 - 0.11, 12);
    expect(scoreAt(sweepRows(ts, scoresWith(fp), windows), LOW_FP, 0.5).score).toBeCloseTo(1 - 0.22, 12);
  });

  it('GIVEN a false positive just after a window THEN it costs less than one far after it', () => {
    const near = scoreAt(sweepRows(ts, scoresWith({ 500: 1, 605: 1 }), windows), STANDARD, 0.5).score;
    const far = scoreAt(sweepRows(ts, scoresWith({ 500: 1, 950: 1 }), windows), STANDARD, 0.5).score;
    expect(near).toBeGreaterThan(far);
    expect(far).toBeCloseTo(1 - 0.11, 12);
  });

  it("GIVEN a missed window THEN it costs the profile's fnWeight", () => {
    expect(scoreAt(sweepRows(ts, new Float64Array(N), windows), STANDARD, 0.5).score).toBe(-1);
    expect(scoreAt(sweepRows(ts, new Float64Array(N), windows), LOW_FN, 0.5).score).toBe(-2);
  });

  it('GIVEN detections inside the probationary period THEN they neither earn nor cost anything', () => {
    expect(scoreAt(sweepRows(ts, scoresWith({ 10: 1, 149: 1, 500: 1 }), windows), STANDARD, 0.5).score).toBeCloseTo(1, 12);
  });
});

describe('NAB corpus score', () => {
  const files = [
    { windows: [win(300, 349), win(700, 749)] },
    { windows: [win(500, 599)] },
    { windows: [] as Window[] },
  ];
  const corpus = (marks: Record<number, number>[]) => combineRows(files.map((f, i) => sweepRows(ts, scoresWith(marks[i]), f.windows, i * 10)));

  it('normalises the null detector to 0 and the perfect detector to 100 under every profile', () => {
    const nul = nabResult(corpus([{}, {}, {}]), PROFILES);
    const perfect = nabResult(corpus([{ 300: 1, 700: 1 }, { 500: 1 }, {}]), PROFILES);
    for (const p of nul) expect(p.score).toBe(0);
    for (const p of perfect) expect(p.score).toBeCloseTo(100, 10);
    expect(nul.find((p) => p.profile === 'reward_low_FN_rate')!.nullScore).toBe(-6);
  });

  it('picks the threshold that maximises the corpus total, as NAB does', () => {
    // Windows start with 0.9; false positives score 0.8 and 0.95: the best threshold is 0.9.
    const rows = corpus([{ 300: 0.9, 700: 0.9, 200: 0.8, 400: 0.8, 450: 0.8 }, { 500: 0.9, 800: 0.95 }, { 600: 0.8 }]);
    const best = optimiseThreshold(rows, STANDARD);
    expect(best.threshold).toBe(0.9);
    expect(best.detectedWindows).toBe(3);
    expect(best.score).toBeCloseTo(scoreAt(rows, STANDARD, 0.9).score, 12);
    expect(normalise(best.score, -3, 3)).toBeGreaterThan(normalise(scoreAt(rows, STANDARD, 0.8).score, -3, 3));
  });
});
