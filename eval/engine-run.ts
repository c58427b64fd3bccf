/**
 * Runs the product's own `tickwatch score` and `tickwatch replay` code paths (scoreFile,
 * replayFile) in-process, and reads their output back, so the eval measures exactly what users run.
 */
import { Writable } from 'node:stream';
import { parseTimestamp } from '../src/cli/input/records.js';
import { replayFile, scoreFile, type ReplayOptions } from '../src/cli/replay.js';

/** Collects a text stream line by line. */
class LineSink extends Writable {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const text = this.rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    try {
      for (const l of lines) if (l !== '') this.onLine(l);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
  override _final(cb: (err?: Error | null) => void): void {
    try {
      if (this.rest !== '') this.onLine(this.rest);
      this.rest = '';
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

export interface RowScores {
  /** Row times, epoch ms. */
  ts: Float64Array;
  /** The engine's score for every row, as `tickwatch score` prints it. */
  scores: Float64Array;
}

/** `tickwatch score <file>`: one score per input row. */
export async function scoreRows(path: string, opts: ReplayOptions): Promise<RowScores> {
  const ts: number[] = [];
  const scores: number[] = [];
  let header = true;
  const sink = new LineSink((line) => {
    if (header) {
      header = false;
      return;
    }
    const a = line.indexOf(',');
    const b = line.lastIndexOf(',');
    ts.push(parseTimestamp(line.slice(0, a)));
    scores.push(Number(line.slice(b + 1)));
  });
  await scoreFile(path, opts, sink);
  await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { ts: Float64Array.from(ts), scores: Float64Array.from(scores) };
}

/** One alert, reduced to what the event metrics need. */
export interface AlertPoint {
  /** Start of the bar the alert is about. */
  barTs: number;
  /** When the alert was raised (the bar's close). */
  ts: number;
}

/**
 * `tickwatch replay --json <file>`: the alerts a follower of the file's symbols would have
 * received. An echo (another venue's alert of the same move already reported it, for every rule
 * it satisfied) does not reach them, so it is not counted.
 */
export async function replayAlerts(path: string, opts: ReplayOptions): Promise<AlertPoint[]> {
  const out: AlertPoint[] = [];
  const sink = new LineSink((line) => {
    const a = JSON.parse(line) as { barTs: number; ts: number; rules: string[]; echo?: { rules: string[] } };
    if (a.echo && a.echo.rules.length >= a.rules.length) return;
    out.push({ barTs: a.barTs, ts: a.ts });
  });
  await replayFile(path, { ...opts, json: true }, sink);
  await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return out;
}
