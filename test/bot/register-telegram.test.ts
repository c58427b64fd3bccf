import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/bot/register.js';
import { COMMANDS } from '../../commands/index.js';
import { FakeTelegram } from '../fakes/telegram/index.js';

describe('npm run register: Telegram', () => {
  const tg = new FakeTelegram();
  let apiRoot: string;
  beforeAll(async () => {
    apiRoot = await tg.start();
  });
  afterAll(() => tg.close());

  it('publishes every command to the Telegram menu with setMyCommands', async () => {
    const lines: string[] = [];
    const code = await main([], { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot }, (s) => void lines.push(s));
    expect(code).toBe(0);
    const call = await tg.waitFor((c) => c.method === 'setMyCommands', 'setMyCommands');
    const sent = (call.params['commands'] as { command: string }[]).map((c) => c.command);
    expect(sent).toEqual(COMMANDS.map((c) => c.name));
    expect(lines.join('')).toMatch(/^telegram: registered \d+ commands/);
  });

  it('with no token at all it says what to set and exits 2', async () => {
    const lines: string[] = [];
    expect(await main([], {}, (s) => void lines.push(s))).toBe(2);
    expect(lines.join('')).toContain('TELEGRAM_BOT_TOKEN');
  });
});
