import { describe, expect, it } from 'vitest';
import { COMMANDS } from './index.js';
import { say, testWorld } from './testing.js';

describe('/help', () => {
  it('lists every command, explains one with usage and examples, and refuses an unknown one', async () => {
    const w = testWorld();
    const all = (await say(w, '/help')).text;
    for (const c of COMMANDS) expect(all).toContain(`/${c.name} ${c.description}`);
    const one = (await say(w, '/help /watch')).text;
    expect(one).toContain('Usage: /watch PAIR [venue] [threshold%] [window] [up|down|both] [low|normal|high]');
    expect(one).toContain('/watch BTC/USDT 3% 5m up');
    expect((await say(w, '/help fly')).text).toMatch(/^There is no \/fly; the commands are watch, unwatch/);
  });

  it('every example of every command parses', async () => {
    const { parseText } = await import('./framework.js');
    for (const c of COMMANDS) for (const e of c.examples) expect(parseText(c, e.slice(c.name.length)), e).toMatchObject({ ok: true });
  });
});
