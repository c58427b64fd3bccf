import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import { UserError } from '../engine/core/errors.js';
import { ROLES, type Role } from '../ops/compose.js';

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
  const role = (values.role ?? 'all') as Role;
  if (!ROLES.includes(role)) throw new UserError('bad_input', `--role must be one of ${ROLES.join(', ')}, got ${values.role}`);
  const cfg = await loadConfigFile(configPath(args), process.env);
  if (role !== 'all' && !cfg.store.url) {
    throw new UserError('bad_input', `--role ${role} needs Redis (the roles share state and queues there): set REDIS_URL or store.url. Without Redis, run --role all.`);
  }
  const { startApp } = await import('../main.js');
  const code = await startApp(cfg, role);
  // Everything is closed by now; if a stray handle still holds the loop open, do not hang.
  setTimeout(() => process.exit(code), 1_000).unref();
  return code;
}
