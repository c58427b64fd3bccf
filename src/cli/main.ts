import { parseArgs } from 'node:util';
import { access } from 'node:fs/promises';
import { InputError, UserError } from '../engine/core/errors.js';
import { SENSITIVITIES, type Sensitivity } from '../engine/core/rules.js';
import { INPUT_FORMATS, type InputFormat } from './input/records.js';
import { replayFile, scoreFile, type ReplayOptions } from './replay.js';
import { loadConfigFile } from '../config/load.js';

const USAGE = `tickwatch: crypto price anomaly monitor

Usage:
  tickwatch run [--config config.yaml] [--role all|engine|bot|worker]
  tickwatch replay <file> [--json] [options]     print the alerts a recorded file would have raised
  tickwatch score <file> [options]                write timestamp,value,score for every row (no look-ahead)
  tickwatch check-config [--config config.yaml]   validate the configuration and exit

Options for replay and score:
  --format trades|klines|ndjson|series   input format (detected from the first line when absent)
  --sensitivity low|normal|high          alert sensitivity (default normal)
  --symbol SYMBOL                        symbol for files without a symbol column (default: file name)
  --venue VENUE                          venue for files without a venue column (default: replay)
  --config FILE                          engine settings from a config file
`;

/** Exit codes: 0 done, 1 an unexpected failure, 2 the user's input or arguments are wrong. */
export const EXIT_USAGE = 2;

class UsageError extends Error {}

function fail(err: unknown): number {
  if (err instanceof UsageError || err instanceof InputError || err instanceof UserError) {
    process.stderr.write(`tickwatch: ${err.message}\n`);
    return EXIT_USAGE;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
    process.stderr.write(`tickwatch: ${e.path ?? ''}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : 'permission denied'}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`tickwatch: unexpected failure: ${e?.stack ?? String(err)}\n`);
  return 1;
}

async function replayOptions(values: Record<string, string | boolean | undefined>): Promise<ReplayOptions> {
  const sensitivity = (values.sensitivity ?? 'normal') as string;
  if (!SENSITIVITIES.includes(sensitivity as Sensitivity)) throw new UsageError(`--sensitivity must be one of ${SENSITIVITIES.join(', ')}, got ${sensitivity}`);
  const format = values.format as string | undefined;
  if (format !== undefined && !INPUT_FORMATS.includes(format as InputFormat)) throw new UsageError(`--format must be one of ${INPUT_FORMATS.join(', ')}, got ${format}`);
  const opts: ReplayOptions = {
    sensitivity: sensitivity as Sensitivity,
    format: format as InputFormat | undefined,
    symbol: values.symbol as string | undefined,
    venue: values.venue as string | undefined,
  };
  if (typeof values.config === 'string') {
    const cfg = await loadConfigFile(values.config, {});
    opts.engine = cfg.engine;
  }
  return opts;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'replay':
      case 'score': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            json: { type: 'boolean' },
            format: { type: 'string' },
            sensitivity: { type: 'string' },
            symbol: { type: 'string' },
            venue: { type: 'string' },
            config: { type: 'string' },
          },
        });
        if (positionals.length !== 1) throw new UsageError(`${cmd} takes one file, got ${positionals.length}\n\n${USAGE}`);
        const file = positionals[0];
        await access(file);
        const opts = await replayOptions(values);
        const r = cmd === 'replay' ? await replayFile(file, { ...opts, json: values.json === true }, process.stdout) : await scoreFile(file, opts, process.stdout);
        if (cmd === 'replay' && !values.json) process.stderr.write(`${r.rows} rows, ${r.alerts} alerts${r.skipped ? `, ${r.skipped} rows skipped (duplicate or out of order)` : ''}\n`);
        return 0;
      }
      case 'run': {
        const { runCommand } = await import('./run.js');
        return await runCommand(rest);
      }
      case 'check-config': {
        const { checkConfigCommand } = await import('./run.js');
        return await checkConfigCommand(rest);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return cmd === undefined ? EXIT_USAGE : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) return fail(new UsageError(`${err.message}\n\n${USAGE}`));
    return fail(err);
  }
}
