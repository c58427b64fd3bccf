import { NAB_SCOREBOARD, WINDOWED_GAUSSIAN_RAW_STANDARD } from './anchors.js';
import type { EventMetrics } from './events.js';
import type { EvalReport } from './evaluate.js';
import { NAB_PROFILE_NAMES } from './nab.js';

function num(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function pct(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : `${Math.round(x * 100)}%`;
}

function secs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  return ms >= 600_000 ? `${(ms / 60_000).toFixed(0)}m` : `${(ms / 1000).toFixed(0)}s`;
}

function prf(m: EventMetrics | undefined): string {
  return m ? `${pct(m.precision)}/${pct(m.recall)}/${pct(m.f1)}` : '-';
}

/** Text table: one row per detector, NAB columns then crypto columns; published anchors below. */
export function formatTable(r: EvalReport): string {
  const header = ['detector', 'NAB std', 'low FP', 'low FN', 'alerts std', 'NAB alerts P/R/F1', 'delay', 'pumps <=60s', 'pump delay', 'crashes <=60s', 'breakaways <=60s', 'calm false/day (worst)', 'synth P/R/F1', 'msgs/event'];
  const rows: string[][] = [header];
  for (const d of r.detectors) {
    const nab = d.sets.nab;
    const syn = d.sets.synthetic;
    const prof = (p: string) => nab?.nab?.find((x) => x.profile === p)?.score;
    rows.push([
      `${d.name}${d.kind === 'baseline' ? ' (baseline)' : ''}`,
      num(prof('standard')),
      num(prof('reward_low_FP_rate')),
      num(prof('reward_low_FN_rate')),
      num(nab?.nabAlerts?.find((x) => x.profile === 'standard')?.score),
      prf(nab?.events),
      secs(nab?.events.delayMedianMs),
      pct(syn?.groups.pumps?.caughtWithin),
      secs(syn?.groups.pumps?.delayMedianMs),
      pct(syn?.groups.crashes?.caughtWithin),
      pct(syn?.groups.breakaways?.caughtWithin),
      syn?.groups.calm ? `${num(syn.groups.calm.falsePerDay, 2)} (${syn.groups.calm.worstDayFalse})` : num(undefined),
      prf(syn?.events),
      num(syn?.events.perEvent),
    ]);
  }
  if (r.detectors.some((d) => d.sets.nab?.nab)) {
    rows.push(header.map(() => ''));
    for (const a of NAB_SCOREBOARD) rows.push([`${a.name} (published)`, num(a.standard), num(a.reward_low_FP_rate), num(a.reward_low_FN_rate), ...header.slice(4).map(() => '')]);
  }
  const w = header.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  const out = [line(rows[0]), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)];
  const notes: string[] = [];
  for (const [set, c] of Object.entries(r.checks)) {
    notes.push(`${set} scorer check: null detector ${NAB_PROFILE_NAMES.map((p) => num(c.nullScores[p])).join('/')}, perfect detector ${NAB_PROFILE_NAMES.map((p) => num(c.perfectScores[p])).join('/')} (must be 0 and 100)`);
  }
  const g = r.detectors.find((d) => d.name === 'gaussian')?.sets.nab?.nab?.find((p) => p.profile === 'standard');
  if (g && r.detectors[0].sets.nab?.files === 58) notes.push(`gaussian baseline = NAB windowedGaussian: raw standard score ${g.raw.toFixed(4)} (published ${WINDOWED_GAUSSIAN_RAW_STANDARD.toFixed(4)})`);
  const syn = r.detectors[0].sets.synthetic;
  if (syn) notes.push(`synthetic: ${syn.files} streams, ${syn.rows.toLocaleString('en-US')} trades, ${syn.windows} labelled events; calm = ${num(syn.groups.calm?.days, 1)} stream-days (a venue of a multi-venue file is a stream)`);
  notes.push(`NAB std/low FP/low FN: tickwatch score, threshold optimised per profile; alerts std: the alerts of tickwatch replay (sensitivity ${r.sensitivity}) scored as a yes/no NAB detector`);
  notes.push('calm false/day = false alerts per calm stream-day (worst: the most a follower of one calm file got in one day)');
  notes.push('P/R/F1 per event (a window counts once), delay = median from window start to first alert; msgs/event = alerts about caught synthetic events per event (what one event costs a follower)');
  notes.push(`ran in ${r.seconds.toFixed(0)} s (${r.cpuSeconds.toFixed(0)} s of work)`);
  return `${out.join('\n')}\n\n${notes.map((n) => `note: ${n}`).join('\n')}\n`;
}

/** The report as JSON, with typed arrays dropped and non-finite numbers as null. */
export function formatJson(r: EvalReport): string {
  return `${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
