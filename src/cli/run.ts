import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import { UserError } from '../engine/core/errors.js';

function configPath(args: string[]): string | undefined {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, role: { type: 'string' } }, allowPositionals: false });
  return values.config;
}

/** `tickwatch check-config`: validates and prints the effective configuration, secrets redacted. */
export async function checkConfigCommand(args: string[]): Promise<number> {
  const cfg = await loadConfigFile(configPath(args), process.env);
  const shown = {
    ...cfg,
    secrets: Object.fromEntries(Object.entries(cfg.secrets).map(([k, v]) => [k, v ? '(set)' : '(not set)'])),
  };
  process.stdout.write(`configuration is valid\n${JSON.stringify(shown, null, 2)}\n`);
  return 0;
}

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, role: { type: 'string' } }, allowPositionals: false });
  if (values.role !== undefined && values.role !== 'all') {
    throw new UserError('bad_input', `--role ${values.role}: this build runs every role in one process; use --role all (or leave it out)`);
  }
  const { startApp } = await import('../main.js');
  const cfg = await loadConfigFile(configPath(args), process.env);
  const code = await startApp(cfg);
  // Everything is closed by now; if a stray handle still holds the loop open, do not hang.
  setTimeout(() => process.exit(code), 1_000).unref();
  return code;
}
