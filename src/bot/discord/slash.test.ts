import { describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType, ChannelType } from 'discord.js';
import { z } from 'zod';
import { COMMANDS } from '../../../commands/index.js';
import { defineCommand, reply, type ArgSpec } from '../../../commands/framework.js';
import { slashCommand, slashCommands, symbolChoices, typedWord } from './slash.js';

const cmd = (args: ArgSpec[], adminOnly = false) =>
  defineCommand({ name: 'probe', description: 'A probe', args, schema: z.object({}), adminOnly, cost: 'light', examples: [], handler: async () => reply('ok') });

describe('slash commands derived from the shared definitions', () => {
  it('every command derives, with required options first and descriptions within Discord limits', () => {
    for (const c of slashCommands(COMMANDS)) {
      expect(c.description.length).toBeLessThanOrEqual(100);
      const options = c.options ?? [];
      const firstOptional = options.findIndex((o) => !o.required);
      expect(firstOptional === -1 || options.slice(firstOptional).every((o) => !o.required)).toBe(true);
      for (const o of options) expect(o.description.length).toBeLessThanOrEqual(100);
    }
  });

  it('maps argument kinds to option types: pairs autocomplete, numbers stay numbers, fixed values become choices', () => {
    const c = slashCommand(
      cmd([
        { name: 'pair', kind: 'pair', description: 'p', required: true, autocomplete: 'symbols' },
        { name: 'pct', kind: 'percent', description: 'x' },
        { name: 'n', kind: 'integer', description: 'x' },
        { name: 'dir', kind: 'direction', description: 'x' },
        { name: 'range', kind: 'range', choices: ['1h', '24h'], description: 'x' },
        { name: 'span', kind: 'duration', description: 'x', off: true },
        { name: 'where', kind: 'channel', description: 'x' },
      ]),
    );
    const by = Object.fromEntries((c.options ?? []).map((o) => [o.name, o as unknown as Record<string, unknown>]));
    expect(by.pair).toMatchObject({ type: ApplicationCommandOptionType.String, required: true, autocomplete: true });
    expect(by.pct?.type).toBe(ApplicationCommandOptionType.Number);
    expect(by.n?.type).toBe(ApplicationCommandOptionType.Integer);
    expect(by.dir?.choices).toEqual(['up', 'down', 'both'].map((v) => ({ name: v, value: v })));
    expect(by.range?.choices).toEqual(['1h', '24h'].map((v) => ({ name: v, value: v })));
    expect(by.span).toMatchObject({ type: ApplicationCommandOptionType.String, autocomplete: false });
    expect(by.where).toMatchObject({ type: ApplicationCommandOptionType.Channel, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] });
  });

  it('an admin-only command is hidden from members without Manage Channels by default', () => {
    expect(slashCommand(cmd([], true)).default_member_permissions).toBe('16');
    expect(slashCommand(cmd([])).default_member_permissions).toBeNull();
  });

  it('refuses names Discord would refuse, before any request', () => {
    expect(() => slashCommand(cmd([{ name: 'Bad Name', kind: 'text', description: 'x' }]))).toThrow(/not a valid Discord option name/);
  });

  it('GIVEN several pairs in one option THEN autocomplete completes the last word and keeps the others', () => {
    const many: ArgSpec = { name: 'pairs', kind: 'pair', description: 'x', many: true, autocomplete: 'symbols' };
    expect(typedWord(many, 'BTC/USDT et')).toBe('et');
    expect(typedWord(many, 'BTC/USDT ')).toBe('');
    expect(symbolChoices(many, 'BTC/USDT et', ['ETH/USDT'])).toEqual([{ name: 'BTC/USDT ETH/USDT', value: 'BTC/USDT ETH/USDT' }]);
    expect(symbolChoices(many, 'BTC/USDT ', ['SOL/USDT'])).toEqual([{ name: 'BTC/USDT SOL/USDT', value: 'BTC/USDT SOL/USDT' }]);
    const one: ArgSpec = { name: 'pair', kind: 'pair', description: 'x', autocomplete: 'symbols' };
    expect(symbolChoices(one, 'bt', Array.from({ length: 40 }, (_, i) => `B${i}/USDT`))).toHaveLength(25);
  });
});
