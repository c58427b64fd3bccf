/**
 * One unit of eval work: one file through one engine configuration (`tickwatch score` and/or
 * `tickwatch replay`), or one file through every baseline. Runs in a worker thread or in-process.
 */
import { SERIES_COOLDOWN_BARS } from '../src/cli/replay.js';
import type { Sensitivity } from '../src/engine/core/rules.js';
import { SENSITIVITY_PRESETS } from '../src/engine/core/rules.js';
import type { EngineOptionsInput } from '../src/engine/options.js';
import { BASELINE_NAMES, makeBaseline, type BaselineName } from './baselines.js';
import { readBarInput } from './bars.js';
import { replayAlerts, scoreRows, type AlertPoint } from './engine-run.js';
import { thresholdAlerts } from './events.js';

/** One engine configuration: the options a user would put in the config file's `engine` section. */
export interface EngineConfig {
  name: string;
  engine?: EngineOptionsInput;
}

export interface EngineJob {
  kind: 'engine';
  id: number;
  path: string;
  config: EngineConfig;
  sensitivity: Sensitivity;
  /** Per-row scores (for NAB scoring). */
  scores: boolean;
  /** Alerts (for event metrics). */
  alerts: boolean;
}

export interface BaselineJob {
  kind: 'baselines';
  id: number;
  path: string;
  scores: boolean;
}

export type Job = EngineJob | BaselineJob;

/** What one detector produced on one file. */
export interface DetectorOutput {
  name: string;
  ts?: Float64Array;
  scores?: Float64Array;
  alerts: AlertPoint[];
}

export interface JobResult {
  id: number;
  outputs: DetectorOutput[];
  /** First and last row times, rows and streams (venues) of the file (from the baselines job, which reads every row). */
  span?: { first: number; last: number; rows: number; streams: number };
  ms: number;
}

/**
 * Baselines on series cool down for this many bars after an alert, as `tickwatch replay` does for
 * series (its SERIES_COOLDOWN_BARS); on prices, for the `normal` preset's cooldown.
 */
export const BASELINE_SERIES_COOLDOWN_BARS = SERIES_COOLDOWN_BARS;

async function runEngine(job: EngineJob): Promise<DetectorOutput> {
  const opts = { sensitivity: job.sensitivity, engine: job.config.engine };
  const out: DetectorOutput = { name: job.config.name, alerts: [] };
  if (job.scores) {
    const r = await scoreRows(job.path, opts);
    out.ts = r.ts;
    out.scores = r.scores;
  }
  if (job.alerts) out.alerts = await replayAlerts(job.path, opts);
  return out;
}

async function runBaselines(job: BaselineJob): Promise<{ outputs: DetectorOutput[]; span: JobResult['span'] }> {
  const input = await readBarInput(job.path);
  const n = input.rowTs.length;
  const span = { first: n ? input.rowTs[0] : 0, last: n ? input.rowTs[n - 1] : 0, rows: n, streams: Math.max(1, input.streams.length) };
  const cooldown = input.kind === 'series' ? BASELINE_SERIES_COOLDOWN_BARS * input.barMs : SENSITIVITY_PRESETS.normal.cooldownMs;
  const streamTs = input.streams.map(({ bars }) => Float64Array.from(bars, (x) => x.ts));
  const outputs = BASELINE_NAMES.map((name: BaselineName) => {
    // Each venue on its own, as the engine judges it; their alerts together.
    const alerts: AlertPoint[] = [];
    const streamScores = input.streams.map(({ bars }, k) => {
      const b = makeBaseline(name, input.kind);
      const barScores = new Float64Array(bars.length);
      for (let i = 0; i < bars.length; i++) barScores[i] = b.update(bars[i]);
      alerts.push(...thresholdAlerts(streamTs[k], barScores, b.alertScore, cooldown, input.barMs));
      return barScores;
    });
    alerts.sort((a, b) => a.barTs - b.barTs);
    const out: DetectorOutput = { name, alerts };
    if (job.scores) {
      out.ts = input.rowTs;
      out.scores = Float64Array.from(input.rowBar, (k, row) => (k >= 0 ? streamScores[input.rowStream[row]][k] : 0));
    }
    return out;
  });
  return { outputs, span };
}

export async function runJob(job: Job): Promise<JobResult> {
  const t0 = performance.now();
  if (job.kind === 'engine') return { id: job.id, outputs: [await runEngine(job)], ms: performance.now() - t0 };
  const { outputs, span } = await runBaselines(job);
  return { id: job.id, outputs, span, ms: performance.now() - t0 };
}

/** The typed-array buffers of a result, to transfer rather than copy between threads. */
export function transferables(r: JobResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const o of r.outputs) {
    if (o.ts && !out.includes(o.ts.buffer as ArrayBuffer)) out.push(o.ts.buffer as ArrayBuffer);
    if (o.scores) out.push(o.scores.buffer as ArrayBuffer);
  }
  return out;
}
