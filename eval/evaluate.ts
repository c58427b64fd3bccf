/**
 * The eval: every labelled file through every engine configuration and every baseline, then NAB
 * scores (per profile, threshold optimised over the corpus) and event metrics per detector.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Sensitivity } from '../src/engine/core/rules.js';
import { DETECTOR_NAMES } from '../src/engine/options.js';
import { BASELINE_NAMES } from './baselines.js';
import { eventMetrics, type EventMetrics, type FileEvents } from './events.js';
import type { DetectorOutput, EngineConfig, Job, JobResult } from './jobs.js';
import type { LabelledFile, LabelledSet } from './labels.js';
import { combineRows, loadProfiles, nabResult, probationaryLength, sweepRows, type ProfileResult, type Profiles, type SweepRows } from './nab.js';
import { runJobs } from './pool.js';

/** Event metrics count an event as caught early when the first alert comes within this of its start. */
export const CATCH_WITHIN_MS = 60_000;

/** The ensemble as configured, then each detector alone. */
export function defaultConfigs(base: EngineConfig['engine'] = {}, singles = true): EngineConfig[] {
  const out: EngineConfig[] = [{ name: 'ensemble', engine: base }];
  if (singles) for (const d of DETECTOR_NAMES) out.push({ name: d, engine: { ...base, detectors: [d] } });
  return out;
}

export interface SetSpec {
  set: LabelledSet;
  /** Score NAB-style (per-row scores, probationary period, profiles). */
  nab: Profiles | null;
}

export interface SetResult {
  name: string;
  files: number;
  rows: number;
  windows: number;
  /** NAB result per profile, when the set is scored NAB-style. */
  nab?: ProfileResult[];
  /**
   * NAB result of the alerts themselves as a binary detector (1 on the row an alert is about, 0
   * elsewhere), as NAB scores detectors that only say yes or no.
   */
  nabAlerts?: ProfileResult[];
  /** Event metrics over the whole set, and per group of files (NAB folder, or synthetic name prefix). */
  events: EventMetrics;
  groups: Record<string, EventMetrics>;
}

export interface DetectorReport {
  name: string;
  kind: 'engine' | 'baseline';
  sets: Record<string, SetResult>;
}

/** NAB's own sanity points: null and perfect detectors on the same corpus. */
export interface ScorerCheck {
  nullScores: Record<string, number>;
  perfectScores: Record<string, number>;
}

export interface EvalReport {
  sensitivity: Sensitivity;
  detectors: DetectorReport[];
  checks: Record<string, ScorerCheck>;
  seconds: number;
  cpuSeconds: number;
}

/** The group a file belongs to: its folder, or for a flat set its name up to the first '-'. */
export function groupOf(key: string): string {
  const slash = key.indexOf('/');
  if (slash > 0) return key.slice(0, slash);
  const dash = key.indexOf('-');
  return dash > 0 ? key.slice(0, dash) : key.replace(/\.[^.]*$/, '');
}

function windowIdOffsets(files: readonly LabelledFile[]): number[] {
  const out: number[] = [];
  let id = 0;
  for (const f of files) {
    out.push(id);
    id += f.windows.length;
  }
  return out;
}

/** Sweep rows of every file for one detector's scores. */
function corpusRows(files: readonly LabelledFile[], outs: readonly (DetectorOutput | undefined)[]): SweepRows {
  const offsets = windowIdOffsets(files);
  return combineRows(
    files.map((f, i) => {
      const o = outs[i];
      if (!o?.ts || !o.scores) throw new Error(`no scores for ${f.key}`);
      return sweepRows(o.ts, o.scores, f.windows, offsets[i]);
    }),
  );
}

/** A detector's alerts as binary per-row scores: 1 on the first row at or after each alert's bar. */
function alertRows(o: DetectorOutput | undefined): DetectorOutput | undefined {
  if (!o?.ts) return o;
  const ts = o.ts;
  const s = new Float64Array(ts.length);
  const sorted = [...o.alerts].sort((a, b) => a.barTs - b.barTs);
  let k = 0;
  for (let i = 0; i < ts.length && k < sorted.length; i++) {
    if (ts[i] < sorted[k].barTs) continue;
    s[i] = 1;
    while (k < sorted.length && sorted[k].barTs <= ts[i]) k++;
  }
  return { ...o, scores: s };
}

/** The null detector (never detects) and the perfect one (detects the first row of every window). */
function scorerCheck(files: readonly LabelledFile[], outs: readonly (DetectorOutput | undefined)[], profiles: Profiles): ScorerCheck {
  const fake = (perfect: boolean) =>
    outs.map((o, i) => {
      const ts = o!.ts!;
      const s = new Float64Array(ts.length);
      if (perfect) {
        for (const w of files[i].windows) {
          const k = ts.findIndex((t) => t >= w.start);
          if (k >= 0) s[k] = 1;
        }
      }
      return { name: perfect ? 'perfect' : 'null', ts, scores: s, alerts: [] };
    });
  const score = (perfect: boolean) => Object.fromEntries(nabResult(corpusRows(files, fake(perfect)), profiles).map((p) => [p.profile, p.score]));
  return { nullScores: score(false), perfectScores: score(true) };
}

function setResult(spec: SetSpec, outs: readonly (DetectorOutput | undefined)[], spans: readonly (JobResult['span'] | undefined)[]): SetResult {
  const { set } = spec;
  const fileEvents: FileEvents[] = [];
  const byGroup = new Map<string, FileEvents[]>();
  set.files.forEach((f, i) => {
    const span = spans[i];
    const o = outs[i];
    let scoredFrom = span?.first ?? -Infinity;
    if (spec.nab && o?.ts) {
      const k = Math.min(o.ts.length - 1, Math.ceil(probationaryLength(o.ts.length)));
      scoredFrom = o.ts[k];
    }
    const fe: FileEvents = { windows: f.windows, alerts: o?.alerts ?? [], scoredFrom, end: span?.last ?? scoredFrom, streams: span?.streams ?? 1 };
    fileEvents.push(fe);
    const g = groupOf(f.key);
    byGroup.set(g, [...(byGroup.get(g) ?? []), fe]);
  });
  const res: SetResult = {
    name: set.name,
    files: set.files.length,
    rows: spans.reduce((a, s) => a + (s?.rows ?? 0), 0),
    windows: set.files.reduce((a, f) => a + f.windows.length, 0),
    events: eventMetrics(fileEvents, CATCH_WITHIN_MS),
    groups: Object.fromEntries([...byGroup].map(([g, fs]) => [g, eventMetrics(fs, CATCH_WITHIN_MS)])),
  };
  if (spec.nab) {
    res.nab = nabResult(corpusRows(set.files, outs), spec.nab);
    if (outs.every((o) => o?.alerts !== undefined) && outs.some((o) => o?.alerts.length)) res.nabAlerts = nabResult(corpusRows(set.files, outs.map(alertRows)), spec.nab);
  }
  return res;
}

export interface EvalOptions {
  sets: SetSpec[];
  configs: EngineConfig[];
  sensitivity: Sensitivity;
  workers: number;
  /** Run `tickwatch replay` for alerts (event metrics); off scores NAB from `tickwatch score` alone. */
  replay?: boolean;
  progress?: (done: number, total: number) => void;
}

export async function evaluate(opt: EvalOptions): Promise<EvalReport> {
  const t0 = performance.now();
  const jobs: Job[] = [];
  /** Job id -> (set index, file index). */
  const where: { set: number; file: number }[] = [];
  opt.sets.forEach((s, si) => {
    s.set.files.forEach((f, fi) => {
      for (const config of opt.configs) {
        where.push({ set: si, file: fi });
        jobs.push({ kind: 'engine', id: jobs.length, path: f.path, config, sensitivity: opt.sensitivity, scores: s.nab !== null, alerts: opt.replay !== false });
      }
      where.push({ set: si, file: fi });
      jobs.push({ kind: 'baselines', id: jobs.length, path: f.path, scores: s.nab !== null });
    });
  });
  // Largest files first, so that two workers finish together.
  const size = new Map(jobs.map((j) => [j.id, statSync(j.path).size * (j.kind === 'engine' && j.config.name === 'ensemble' ? 3 : 1)]));
  const ordered = [...jobs].sort((a, b) => size.get(b.id)! - size.get(a.id)!);
  let done = 0;
  let cpuMs = 0;
  const results = await runJobs(ordered, opt.workers, (r) => {
    cpuMs += r.ms;
    opt.progress?.(++done, jobs.length);
  });
  // outputs[set][detector][file]
  const outputs = opt.sets.map((s) => new Map<string, (DetectorOutput | undefined)[]>());
  const spans = opt.sets.map((s) => new Array<JobResult['span']>(s.set.files.length));
  for (const r of results) {
    const w = where[r.id];
    if (r.span) spans[w.set][w.file] = r.span;
    for (const o of r.outputs) {
      const m = outputs[w.set];
      if (!m.has(o.name)) m.set(o.name, new Array(opt.sets[w.set].set.files.length));
      m.get(o.name)![w.file] = o;
    }
  }
  const names: { name: string; kind: DetectorReport['kind'] }[] = [
    ...opt.configs.map((c) => ({ name: c.name, kind: 'engine' as const })),
    ...BASELINE_NAMES.map((name) => ({ name, kind: 'baseline' as const })),
  ];
  const detectors: DetectorReport[] = names.map(({ name, kind }) => ({
    name,
    kind,
    sets: Object.fromEntries(opt.sets.map((s, si) => [s.set.name, setResult(s, outputs[si].get(name) ?? [], spans[si])])),
  }));
  const checks: Record<string, ScorerCheck> = {};
  opt.sets.forEach((s, si) => {
    const any = outputs[si].get(BASELINE_NAMES[0]);
    if (s.nab && any) checks[s.set.name] = scorerCheck(s.set.files, any, s.nab);
  });
  return { sensitivity: opt.sensitivity, detectors, checks, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuMs / 1000 };
}

/** NAB's profiles from the corpus's own config folder. */
export function nabProfiles(root: string): Profiles {
  return loadProfiles(join(root, 'config', 'profiles.json'));
}
