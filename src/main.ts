import type { Config } from './config/schema.js';

/**
 * The composition root: builds every real client from the config and runs until a signal.
 * Resolves with the process exit code.
 */
export async function startApp(cfg: Config): Promise<number> {
  void cfg;
  process.stderr.write('tickwatch run: live feeds are not wired into this build yet\n');
  return 1;
}
