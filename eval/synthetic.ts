import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMarketSpecs, defaultVenueSpecs, generateMultiVenue, generateStream, tradesCsv, type LabelledEvent, type SyntheticTrade } from '../src/engine/testing/synthetic-market.js';
import { loadLabelledSet, type LabelledSet } from './labels.js';

/** Name of the windows file written beside the synthetic streams. */
export const SYNTHETIC_WINDOWS_FILE = 'windows.json';

/**
 * Writes the default synthetic streams for a seed into `dir` as a labelled set: one trades CSV per
 * stream and one windows file in NAB's layout (ISO 8601 times). Returns the set as loadLabelledSet
 * reads it back, so the synthetic set goes through the same loader as any other.
 *
 * With `seeds` > 1, the streams of seeds `seed` to `seed + seeds - 1` go into one set, named
 * `<stream>.s<seed>.csv` (the group, the name up to its first '-', stays the stream's kind): one
 * seed's handful of events says little about a detector, twenty seeds' hundreds do.
 */
export function writeSyntheticSet(dir: string, seed: number, hours: number, seeds = 1): LabelledSet {
  mkdirSync(dir, { recursive: true });
  const windows: Record<string, [string, string][]> = {};
  for (let k = seed; k < seed + Math.max(1, seeds); k++) {
    const streams: { name: string; trades: SyntheticTrade[]; labels: LabelledEvent[] }[] = [
      ...defaultMarketSpecs(k, hours).map((spec) => ({ name: spec.name, ...generateStream(spec) })),
      ...defaultVenueSpecs(k, hours).map((spec) => ({ name: spec.name, ...generateMultiVenue(spec) })),
    ];
    for (const s of streams) {
      const file = seeds > 1 ? `${s.name}.s${k}.csv` : `${s.name}.csv`;
      writeFileSync(join(dir, file), tradesCsv(s.trades));
      windows[file] = s.labels.map((l) => [new Date(l.start).toISOString(), new Date(l.end).toISOString()]);
    }
  }
  const windowsPath = join(dir, SYNTHETIC_WINDOWS_FILE);
  writeFileSync(windowsPath, `${JSON.stringify(windows, null, 2)}\n`);
  return loadLabelledSet('synthetic', dir, windowsPath);
}
