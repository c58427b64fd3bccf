import { basename, extname } from 'node:path';
import type { Writable } from 'node:stream';
import { InputError } from '../engine/core/errors.js';
import { SENSITIVITY_PRESETS, makeRule, type AlertRule, type Sensitivity } from '../engine/core/rules.js';
import type { AlertEvent, Bar } from '../engine/core/types.js';
import { formatAlertText } from '../engine/alerts/format.js';
import { attachCrossVenue } from '../engine/composite/index.js';
import { Engine } from '../engine/engine.js';
import type { EngineOptionsInput } from '../engine/options.js';
import { StaticRuleSource } from '../engine/ports/rule-source.js';
import { InlineTrainer } from '../engine/trainers.js';
import { readRecordBatches, type InputFormat, type InputRecord } from './input/records.js';

export interface ReplayOptions {
  format?: InputFormat | undefined;
  sensitivity: Sensitivity;
  symbol?: string | undefined;
  venue?: string | undefined;
  /** Engine options from the config file. */
  engine?: EngineOptionsInput | undefined;
  /** Extra rules from the config file; the sensitivity preset is always applied. */
  rules?: AlertRule[] | undefined;
}

/** Rows read before bar-based input decides its bar length (the median spacing of these rows). */
const INTERVAL_SAMPLE_ROWS = 64;
/** Series (not prices) measure moves over this many bars and cool down for this many. */
export const SERIES_MOVE_BARS = 12;
export const SERIES_COOLDOWN_BARS = 60;
/**
 * The score a series bar needs to alert, per sensitivity. A series score is 1 minus the share of
 * the stream's own history at least as unusual (each detector calibrated on the stream), so 0.9985
 * reads "rarer than about 1 bar in 670". Series alert on the score alone: their anomalies include
 * changes of pattern with no move (a daily cycle that skips its rise, a flat stretch), so the
 * price rules' move-in-sigmas gate would drop them, and the ensemble's re-arm already keeps one
 * anomaly to one alert. Measured on NAB in docs/eval.md.
 */
export const SERIES_MIN_SCORE: Readonly<Record<Sensitivity, number>> = { high: 0.997, normal: 0.9985, low: 0.9995 };
const DEFAULT_VENUE = 'replay';

export interface ReplayResult {
  rows: number;
  alerts: number;
  skipped: number;
}

/** Batches output lines and honours back-pressure, so a huge replay streams in constant memory. */
class LineWriter {
  private buf: string[] = [];
  constructor(private readonly out: Writable) {}
  line(s: string): void {
    this.buf.push(s);
  }
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    if (!this.out.write(chunk)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }
}

function medianSpacing(recs: InputRecord[]): number {
  const d: number[] = [];
  for (let i = 1; i < recs.length; i++) {
    const x = recs[i].ts - recs[i - 1].ts;
    if (x > 0) d.push(x);
  }
  if (d.length === 0) return 60_000;
  d.sort((a, b) => a - b);
  return d[d.length >> 1];
}

interface Setup {
  engine: Engine;
  clock: { t: number };
  symbol: string;
  venue: string;
  bars: boolean;
}

function defaultSymbol(path: string): string {
  return basename(path, extname(path));
}

/**
 * Builds the engine for a file: ticks run at the live defaults; bar files (klines, series) run
 * with the file's own bar length as the detection resolution.
 */
function setup(path: string, first: InputRecord[], opts: ReplayOptions, onAlert: (a: AlertEvent) => void): Setup {
  const bars = first.length > 0 && first[0].kind === 'bar';
  const preset = SENSITIVITY_PRESETS[opts.sensitivity];
  let engineOpts: EngineOptionsInput = { ...opts.engine };
  let rule = makeRule(preset);
  if (bars) {
    const interval = medianSpacing(first);
    const series = opts.format === 'series' || (first[0].kind === 'bar' && first[0].volume === 0 && first[0].open === first[0].close && first.every((r) => r.kind === 'bar' && r.volume === 0));
    engineOpts = { ...engineOpts, shortBarMs: interval, longBarMs: interval * 60, returns: series ? 'diff' : 'log', lateTickGraceMs: 0 };
    rule = makeRule({
      ...preset,
      ...(series ? { minScore: SERIES_MIN_SCORE[opts.sensitivity], movePct: 0, minMoveSigma: 0 } : {}),
      moveWindowMs: interval * SERIES_MOVE_BARS,
      cooldownMs: interval * SERIES_COOLDOWN_BARS,
    });
  }
  const clock = { t: 0 };
  const engine = new Engine({
    options: engineOpts,
    clock: { now: () => clock.t },
    rules: new StaticRuleSource([rule, ...(opts.rules ?? [])]),
    sink: { publish: onAlert },
    trainer: new InlineTrainer(),
  });
  // Trades may come from several venues (a `venue` column): as live, each bar updates the
  // cross-venue composite, a venue breaking away from the others alerts, and every alert says
  // whether the other venues confirm its move.
  if (!bars) attachCrossVenue(engine);
  return { engine, clock, symbol: opts.symbol ?? defaultSymbol(path), venue: opts.venue ?? DEFAULT_VENUE, bars };
}

function toBar(r: Extract<InputRecord, { kind: 'bar' }>): Bar {
  return {
    ts: r.ts,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    quoteVolume: r.quoteVolume,
    buyVolume: r.buyVolume,
    sellVolume: Math.max(0, r.volume - r.buyVolume),
    trades: r.trades,
  };
}

/**
 * Runs a file through the engine, calling `row` after each record with the score that record
 * would have had live: for bar files the score of its own bar; for ticks the score of the newest
 * bar closed when the tick arrived (a tick's own bar closes when a later tick shows it complete).
 */
async function drive(path: string, opts: ReplayOptions, onAlert: (a: AlertEvent) => void, row: ((r: InputRecord, score: number) => void) | null, flush: () => Promise<void>): Promise<ReplayResult> {
  const batches = readRecordBatches(path, opts.format);
  // The first rows decide the bar length of bar files; their batches are kept to be processed.
  const first: InputRecord[] = [];
  const queued: InputRecord[][] = [];
  for (let n = await batches.next(); !n.done; n = await batches.next()) {
    queued.push(n.value);
    first.push(...n.value.slice(0, INTERVAL_SAMPLE_ROWS - first.length));
    if (first.length >= INTERVAL_SAMPLE_ROWS) break;
  }
  const result: ReplayResult = { rows: 0, alerts: 0, skipped: 0 };
  const s = setup(path, first, opts, (a) => {
    result.alerts++;
    onAlert(a);
  });
  const last = new Map<string, number>();
  s.engine.onEvaluation((ev) => void last.set(`${ev.venue}\u0000${ev.symbol}`, ev.score));
  const handle = (r: InputRecord) => {
    s.clock.t = r.ts;
    let key: string;
    if (r.kind === 'bar') {
      key = `${s.venue}\u0000${s.symbol}`;
      if (s.engine.ingestShortBars(s.venue, s.symbol, [toBar(r)], 'live') === 0) result.skipped++;
    } else {
      const venue = r.venue ?? s.venue;
      const symbol = r.symbol ?? s.symbol;
      key = `${venue}\u0000${symbol}`;
      const out = s.engine.ingest({ venue, symbol, ts: r.ts, price: r.price, qty: r.qty, side: r.side, id: r.id });
      if (out === 'invalid') throw new InputError(`not a usable trade (price must be > 0, amount >= 0): price ${r.price}, amount ${r.qty}`, path, r.line);
      if (out !== 'ok') result.skipped++;
    }
    result.rows++;
    if (row) row(r, last.get(key) ?? 0);
  };
  // Records of one chunk are processed synchronously; output is flushed (with back-pressure) between chunks.
  for (const batch of queued) {
    for (const r of batch) handle(r);
    await flush();
  }
  for (let n = await batches.next(); !n.done; n = await batches.next()) {
    for (const r of n.value) handle(r);
    await flush();
  }
  s.engine.flush();
  await flush();
  return result;
}

/** `tickwatch replay`: alerts as text blocks, or one AlertEvent JSON per line. */
export async function replayFile(path: string, opts: ReplayOptions & { json: boolean }, out: Writable): Promise<ReplayResult> {
  const w = new LineWriter(out);
  return drive(path, opts, (a) => w.line(opts.json ? JSON.stringify(a) : `${formatAlertText(a)}\n`), null, () => w.flush());
}

/** `tickwatch score`: `timestamp,value,score` for every input row. */
export async function scoreFile(path: string, opts: ReplayOptions, out: Writable): Promise<ReplayResult> {
  const w = new LineWriter(out);
  w.line('timestamp,value,score');
  return drive(path, opts, () => {}, (rec, score) => w.line(`${rec.rawTs},${rec.kind === 'bar' ? rec.close : rec.price},${score.toFixed(6)}`), () => w.flush());
}
