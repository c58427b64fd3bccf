import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTimestamp } from '../src/cli/input/records.js';

/** One labelled anomaly window, inclusive at both ends, in epoch ms. */
export interface Window {
  start: number;
  end: number;
}

/** One data file of a labelled set and its windows. */
export interface LabelledFile {
  /** Key in the windows file, e.g. `realKnownCause/nyc_taxi.csv`. */
  key: string;
  /** Absolute path of the data file. */
  path: string;
  windows: Window[];
}

/**
 * A labelled set: data files in any layout `tickwatch score` reads (NAB `timestamp,value` series,
 * trades CSV, klines, NDJSON) and one JSON file of windows in NAB's layout,
 * `{ "<path relative to the data folder>": [["<start>", "<end>"], ...] }`, where start and end are
 * timestamps in any form the CLI parses (ISO 8601, `YYYY-MM-DD hh:mm:ss.ffffff`, epoch s/ms).
 * A file listed with no windows is anomaly-free.
 */
export interface LabelledSet {
  name: string;
  dataDir: string;
  files: LabelledFile[];
}

export class LabelError extends Error {
  override readonly name = 'LabelError';
}

/** Reads a windows file; every listed data file must exist under dataDir. */
export function loadLabelledSet(name: string, dataDir: string, windowsPath: string): LabelledSet {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(windowsPath, 'utf8'));
  } catch (err) {
    throw new LabelError(`${windowsPath}: not a readable JSON windows file (${(err as Error).message})`, { cause: err });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new LabelError(`${windowsPath}: expected an object of file -> [[start, end], ...]`);
  const files: LabelledFile[] = [];
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new LabelError(`${windowsPath}: ${key}: expected a list of [start, end] pairs`);
    const windows = list.map((w, i): Window => {
      if (!Array.isArray(w) || w.length !== 2) throw new LabelError(`${windowsPath}: ${key}[${i}]: expected [start, end]`);
      const start = parseTimestamp(String(w[0]));
      const end = parseTimestamp(String(w[1]));
      if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) throw new LabelError(`${windowsPath}: ${key}[${i}]: not a time range: ${JSON.stringify(w)}`);
      return { start, end };
    });
    windows.sort((a, b) => a.start - b.start);
    const path = join(dataDir, key);
    if (!existsSync(path)) throw new LabelError(`${windowsPath}: ${key}: no such data file under ${dataDir}`);
    files.push({ key, path, windows });
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { name, dataDir, files };
}

/** The Numenta Anomaly Benchmark in its published layout (data/, labels/, config/). */
export function loadNab(root: string): LabelledSet {
  return loadLabelledSet('nab', join(root, 'data'), join(root, 'labels', 'combined_windows.json'));
}
