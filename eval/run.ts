/**
 * `npm run eval`: detection quality on labelled data, the engine beside the baselines.
 *
 *   node dist/eval/run.js [--json] [--quick] [options]      (after npm run build)
 *   npx tsx eval/run.ts [--json] [--quick] [options]
 *
 * See docs/eval.md for what every number means.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../src/config/load.js';
import { UserError } from '../src/engine/core/errors.js';
import { SENSITIVITIES, type Sensitivity } from '../src/engine/core/rules.js';
import { engineOptions, type EngineOptionsInput } from '../src/engine/options.js';
import { defaultConfigs, evaluate, nabProfiles, type SetSpec } from './evaluate.js';
import { loadNab } from './labels.js';
import { formatJson, formatTable } from './report.js';
import { writeSyntheticSet } from './synthetic.js';

const USAGE = `npm run eval -- [options]

  --json                 print the full report as JSON instead of the table
  --quick                the ensemble and the baselines only, 6-hour synthetic streams
  --nab DIR              the NAB corpus (default ../shared/data/nab); --no-nab to skip it
  --no-synthetic         skip the synthetic crypto streams
  --seed N               synthetic seed (default ${'42'})
  --seeds N              N synthetic seeds from --seed on, scored as one set (default 1)
  --hours H              hours per synthetic stream (default 24, quick 6)
  --synthetic-dir DIR    write (and keep) the synthetic set there instead of a temporary folder
  --config FILE          engine settings from a tickwatch config file
  --engine JSON          engine options on top, e.g. '{"calibrator":{"halfLife":5000}}'
  --sensitivity S        low|normal|high (default normal)
  --workers N            worker threads (default 2; 0 runs in this thread)
  --only A,B             engine configurations to run: ensemble and/or detector names
  --no-replay            scores only (NAB); no alerts, so no event metrics
`;

const DEFAULT_SEED = 42;
const DEFAULT_HOURS = 24;
const QUICK_HOURS = 6;
const DEFAULT_WORKERS = 2;
const DEFAULT_NAB = join('..', 'shared', 'data', 'nab');

class UsageError extends Error {}

function int(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a non-negative number, got ${v}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      quick: { type: 'boolean' },
      nab: { type: 'string' },
      'no-nab': { type: 'boolean' },
      'no-synthetic': { type: 'boolean' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      hours: { type: 'string' },
      'synthetic-dir': { type: 'string' },
      config: { type: 'string' },
      engine: { type: 'string' },
      sensitivity: { type: 'string' },
      workers: { type: 'string' },
      only: { type: 'string' },
      'no-replay': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const quick = values.quick === true;
  const sensitivity = (values.sensitivity ?? 'normal') as Sensitivity;
  if (!SENSITIVITIES.includes(sensitivity)) throw new UsageError(`--sensitivity must be one of ${SENSITIVITIES.join(', ')}`);
  let engine: EngineOptionsInput = {};
  if (values.config) engine = { ...(await loadConfigFile(values.config, {})).engine };
  if (values.engine) {
    try {
      engine = { ...engine, ...(JSON.parse(values.engine) as EngineOptionsInput) };
    } catch (err) {
      throw new UsageError(`--engine is not JSON: ${(err as Error).message}`);
    }
  }
  engineOptions(engine); // rejects unknown detectors and inconsistent bar lengths before any work

  const sets: SetSpec[] = [];
  const log = (s: string) => void process.stderr.write(`${s}\n`);
  if (!values['no-nab']) {
    const root = resolve(values.nab ?? DEFAULT_NAB);
    if (existsSync(join(root, 'labels', 'combined_windows.json'))) sets.push({ set: loadNab(root), nab: nabProfiles(root) });
    else log(`eval: no NAB corpus at ${root}; skipping it (use --nab DIR)`);
  }
  let tmp: string | null = null;
  if (!values['no-synthetic']) {
    const hours = int(values.hours, '--hours', quick ? QUICK_HOURS : DEFAULT_HOURS);
    const seed = int(values.seed, '--seed', DEFAULT_SEED);
    const seeds = int(values.seeds, '--seeds', 1);
    if (seeds < 1 || !Number.isInteger(seeds)) throw new UsageError(`--seeds must be a whole number >= 1, got ${values.seeds}`);
    const dir = values['synthetic-dir'] ? resolve(values['synthetic-dir']) : (tmp = mkdtempSync(join(tmpdir(), 'tickwatch-eval-')));
    log(`eval: writing synthetic streams (seed ${seeds > 1 ? `${seed} to ${seed + seeds - 1}` : seed}, ${hours} h each) to ${dir}`);
    sets.push({ set: writeSyntheticSet(dir, seed, hours, seeds), nab: null });
  }
  if (sets.length === 0) throw new UsageError('nothing to evaluate');
  let configs = defaultConfigs(engine, !quick || values.only !== undefined);
  if (values.only !== undefined) {
    const only = values.only.split(',').map((x) => x.trim());
    const unknown = only.filter((n) => !configs.some((c) => c.name === n));
    if (unknown.length) throw new UsageError(`--only: unknown configuration ${unknown.join(', ')}; known: ${configs.map((c) => c.name).join(', ')}`);
    configs = configs.filter((c) => only.includes(c.name));
  }
  try {
    const report = await evaluate({
      sets,
      configs,
      replay: values['no-replay'] !== true,
      sensitivity,
      workers: int(values.workers, '--workers', DEFAULT_WORKERS),
      progress: (done, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\reval: ${done}/${total} jobs`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(values.json ? formatJson(report) : formatTable(report));
    return 0;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof UserError || (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`eval: ${(err as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`eval: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
