import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real exchange traffic recorded by the cryptofeed project, at ../shared/data/wire next to the
 * project. The fakes take their frame formats and REST bodies from it when it is there (CI always
 * has it) and fall back to small fixtures of the same format written for them otherwise.
 */
export const WIRE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/wire');

export function hasRecordings(): boolean {
  return existsSync(WIRE_DIR);
}

/** The raw frames of `<venue>/ws_<channel>.jsonl`, verbatim; [] when absent. */
export function recordedFrames(venueDir: string, channel: string): string[] {
  const file = join(WIRE_DIR, venueDir, `ws_${channel}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => (JSON.parse(l) as { raw: string }).raw);
}

/** The first recorded frame matching `pick`, else the fallback fixture. */
export function recordedTemplate(venueDir: string, channel: string, fallback: string, pick: (raw: string) => boolean = () => true): string {
  return recordedFrames(venueDir, channel).find(pick) ?? fallback;
}

/** A verbatim REST body (`rest_NN.json`), else the fallback fixture. */
export function recordedRest(venueDir: string, file: string, fallback: string): string {
  const p = join(WIRE_DIR, venueDir, file);
  return existsSync(p) ? readFileSync(p, 'utf8') : fallback;
}
