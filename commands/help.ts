import { z } from 'zod';
import { UserError } from '../src/engine/index.js';
import { bold, code, defineCommand, lines, reply, rich, usage } from './framework.js';

/** `help [command]` */
export const helpCommand = defineCommand({
  name: 'help',
  description: 'List the commands, or explain one',
  args: [{ name: 'command', kind: 'text', description: 'a command name, e.g. watch' }],
  schema: z.object({ command: z.string().optional() }),
  cost: 'light',
  examples: ['help', 'help watch'],
  async handler(args, ctx) {
    if (args.command) {
      const name = args.command.replace(/^\//, '').toLowerCase();
      const def = ctx.catalog.find((c) => c.name === name);
      if (!def) throw new UserError('not_found', `there is no /${name}; the commands are ${ctx.catalog.map((c) => c.name).join(', ')}`);
      return reply(
        lines(
          rich(bold(`/${def.name}`), ` ${def.description}${def.adminOnly ? ' (admins only)' : ''}`),
          rich('Usage: ', code(usage(def))),
          ...def.args.map((a) => `• ${a.name}: ${a.description}`),
          ...(def.examples.length ? [rich('Examples: '), ...def.examples.map((e) => rich('  ', code(`/${e}`)))] : []),
        ),
      );
    }
    return reply(
      lines(
        rich(bold('tickwatch'), ' watches crypto prices across exchanges and alerts you on unusual moves.'),
        ...ctx.catalog.map((c) => rich(code(`/${c.name}`), ` ${c.description}`)),
        rich('More on one command: ', code('/help watch')),
      ),
    );
  },
});
