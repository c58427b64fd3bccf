import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_USAGE, main } from '../../src/cli/main.js';

describe('tickwatch run --role', () => {
  const saved = process.env.REDIS_URL;
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = saved;
  });

  function run(args: string[]): Promise<{ code: number; err: string }> {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    return main(args).then((code) => ({ code, err }));
  }

  it('GIVEN an unknown role THEN it exits with the usage code and names the roles', async () => {
    const r = await run(['run', '--role', 'janitor']);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain('--role must be one of all, engine, bot, worker, got janitor');
  });

  it.each(['engine', 'bot', 'worker'])('GIVEN --role %s without Redis THEN it refuses to start and says how to fix it', async (role) => {
    delete process.env.REDIS_URL;
    const r = await run(['run', '--role', role]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain(`--role ${role} needs Redis`);
    expect(r.err).toContain('REDIS_URL');
    expect(r.err).toContain('--role all');
  });
});
