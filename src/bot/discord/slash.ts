import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOptionChoice,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { DIRECTION_CHOICES, OFF, type AnyCommand, type ArgSpec } from '../../../commands/framework.js';
import { SENSITIVITIES } from '../../engine/core/rules.js';
import { clip } from './message.js';

/** Discord's limits on command definitions. */
export const COMMAND_LIMITS = { description: 100, choices: 25, choiceValue: 100, options: 25 } as const;
const NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;

/** Who may see an admin-only command by default; servers can change it, the bot checks anyway. */
export const ADMIN_PERMISSION = PermissionFlagsBits.ManageChannels;

/** Channels a feed can post to. */
export const FEED_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

/** The fixed values of an argument, if it has any (its own list, or the kind's). */
export function choicesOf(spec: ArgSpec): readonly string[] | undefined {
  const base = spec.choices ?? (spec.kind === 'direction' ? DIRECTION_CHOICES : spec.kind === 'sensitivity' ? SENSITIVITIES : undefined);
  if (!base) return undefined;
  return spec.off && !base.includes(OFF) ? [...base, OFF] : base;
}

type BasicOptionType = ApplicationCommandOptionType.String | ApplicationCommandOptionType.Number | ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Channel;

function optionType(spec: ArgSpec): BasicOptionType {
  if (spec.kind === 'channel' && !spec.many) return ApplicationCommandOptionType.Channel;
  // `off` is a word, and `many` takes several values in one text field.
  if (spec.off || spec.many) return ApplicationCommandOptionType.String;
  if (spec.kind === 'percent' || spec.kind === 'score') return ApplicationCommandOptionType.Number;
  if (spec.kind === 'integer') return ApplicationCommandOptionType.Integer;
  return ApplicationCommandOptionType.String;
}

function option(cmd: string, spec: ArgSpec): APIApplicationCommandBasicOption {
  if (!NAME.test(spec.name)) throw new Error(`/${cmd}: "${spec.name}" is not a valid Discord option name`);
  const type = optionType(spec);
  const description = clip(spec.many ? `${spec.description} (separate with spaces)` : spec.description, COMMAND_LIMITS.description);
  const base = { name: spec.name, description, required: spec.required === true };
  if (type === ApplicationCommandOptionType.Channel) return { ...base, type, channel_types: [...FEED_CHANNEL_TYPES] };
  if (type === ApplicationCommandOptionType.Number || type === ApplicationCommandOptionType.Integer) return { ...base, type, autocomplete: false };
  const choices = choicesOf(spec);
  if (choices && !spec.many) {
    if (choices.length > COMMAND_LIMITS.choices) throw new Error(`/${cmd} ${spec.name}: more than ${COMMAND_LIMITS.choices} choices`);
    return { ...base, type, choices: choices.map((c): APIApplicationCommandOptionChoice<string> => ({ name: c, value: c })) };
  }
  return { ...base, type, autocomplete: spec.autocomplete === 'symbols' };
}

/**
 * The slash command of a definition: one option per argument (required ones first, as Discord
 * demands; values are matched by name, so the order does not change what a handler gets), choices
 * where an argument has fixed values, symbol autocomplete for pairs. Admin-only commands are
 * hidden from members without Manage Channels by default; the bot still checks on every use.
 */
export function slashCommand(def: AnyCommand): RESTPostAPIChatInputApplicationCommandsJSONBody {
  if (!NAME.test(def.name)) throw new Error(`"${def.name}" is not a valid Discord command name`);
  if (def.args.length > COMMAND_LIMITS.options) throw new Error(`/${def.name}: more than ${COMMAND_LIMITS.options} options`);
  const ordered = [...def.args.filter((a) => a.required), ...def.args.filter((a) => !a.required)];
  return {
    type: ApplicationCommandType.ChatInput,
    name: def.name,
    description: clip(def.description, COMMAND_LIMITS.description),
    options: ordered.map((a) => option(def.name, a)),
    default_member_permissions: def.adminOnly ? String(ADMIN_PERMISSION) : null,
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    integration_types: [ApplicationIntegrationType.GuildInstall],
  };
}

export function slashCommands(defs: readonly AnyCommand[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return defs.map(slashCommand);
}

/**
 * Autocomplete choices for a pair argument: known symbols matching what was typed. For an
 * argument taking several pairs, the last word is completed and the earlier ones kept.
 */
export function symbolChoices(spec: ArgSpec, typed: string, found: readonly string[]): APIApplicationCommandOptionChoice<string>[] {
  const words = typed.trim().split(/\s+/).filter(Boolean);
  const head = spec.many && !/\s$/.test(typed) ? words.slice(0, -1) : spec.many ? words : [];
  const out: APIApplicationCommandOptionChoice<string>[] = [];
  for (const s of found) {
    const value = [...head, s].join(' ');
    if (value.length <= COMMAND_LIMITS.choiceValue) out.push({ name: value, value });
    if (out.length === COMMAND_LIMITS.choices) break;
  }
  return out;
}

/** The word being typed, which autocomplete completes. */
export function typedWord(spec: ArgSpec, typed: string): string {
  if (!spec.many) return typed.trim();
  return /\s$/.test(typed) ? '' : (typed.trim().split(/\s+/).pop() ?? '');
}
