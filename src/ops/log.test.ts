import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, secretScrubber } from './log.js';

describe('logs never carry secrets', () => {
  it('scrubs secret values wherever they appear in a line, including inside error messages and URLs', async () => {
    const lines: string[] = [];
    const dest = new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } });
    const token = '123456:AAH-secret_TOKEN.value';
    const log = createLogger({ level: 'info', secrets: [token, 'redis-pass-42', undefined, 'x'], destination: dest });
    log.info({ url: `https://api.telegram.org/bot${token}/getMe` }, 'calling');
    log.error({ err: new Error(`401 for bot${token}`) }, 'failed');
    log.info({ token: 'anything', nested: { token: 'y' } }, 'redis://:redis-pass-42@host');
    await new Promise((r) => setImmediate(r));
    const all = lines.join('');
    expect(all).not.toContain(token);
    expect(all).not.toContain('redis-pass-42');
    expect(all).toContain('[redacted]');
    expect(lines).toHaveLength(3);
  });

  it('leaves text alone when no secret is set, and never scrubs very short values', () => {
    expect(secretScrubber([])('hello')).toBe('hello');
    expect(secretScrubber(['ab'])('abc')).toBe('abc');
    expect(secretScrubber(['a.b*c(d)'])('x a.b*c(d) y')).toBe('x [redacted] y');
  });
});
