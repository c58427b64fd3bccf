import { once } from 'node:events';
import {
  Events,
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import { COMMANDS } from '../../../commands/index.js';
import {
  decodeAction,
  executeCommand,
  reply,
  type AnyCommand,
  type CommandContext,
  type CommandLimiter,
  type CommandServices,
} from '../../../commands/framework.js';
import type { Clock } from '../../engine/ports/clock.js';
import { executeAction } from '../shared/actions.js';
import { CommandRateLimiter } from '../shared/rate-limit.js';
import { interactionOptions, replyMessage, type DiscordMessage } from './message.js';
import { chatOf, isChannelAdmin, resolveFeedChannel } from './permissions.js';
import { choicesOf, COMMAND_LIMITS, symbolChoices, typedWord } from './slash.js';

/**
 * Discord drops an interaction that gets no answer within 3 s. A command still running after this
 * long is deferred ("thinking…") and its reply edited in when ready: half the budget leaves room
 * for the network and a busy event loop. Commands that render a chart defer at once.
 */
export const DEFER_AFTER_MS = 1_500;

export interface DiscordBotDeps {
  /** Built by the composition root with `discordClientOptions`. */
  client: Client;
  token: string;
  services: CommandServices;
  clock: Clock;
  commands?: readonly AnyCommand[] | undefined;
  /** Per-user command limits (default: the shared CommandRateLimiter). */
  limiter?: CommandLimiter | undefined;
  log?: ((err: unknown, context: string) => void) | undefined;
  deferAfterMs?: number | undefined;
}

/**
 * The Discord side of the chat commands: slash commands, symbol autocomplete and the buttons
 * under alerts, each run through the shared command layer (rate limit, admin check, arguments,
 * handler, errors as replies) with Discord's own permission checks and reply shapes.
 * Registration is separate (`npm run register`); alerts go out through DiscordDestination.
 */
export class DiscordBot {
  private readonly commands: readonly AnyCommand[];
  private readonly byName: ReadonlyMap<string, AnyCommand>;
  private readonly limiter: CommandLimiter;
  private readonly deferAfterMs: number;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: DiscordBotDeps) {
    this.commands = deps.commands ?? COMMANDS;
    this.byName = new Map(this.commands.map((c) => [c.name, c]));
    this.limiter = deps.limiter ?? new CommandRateLimiter();
    this.deferAfterMs = deps.deferAfterMs ?? DEFER_AFTER_MS;
    const c = deps.client;
    c.on(Events.InteractionCreate, (i) => this.track(this.handle(i)));
    // An 'error' event without a listener would end the process; connection trouble is logged.
    c.on(Events.Error, (err) => this.deps.log?.(err, 'discord client'));
    c.on(Events.ShardError, (err, shard) => this.deps.log?.(err, `discord shard ${shard}`));
    c.on(Events.ShardDisconnect, (ev, shard) => {
      // Only codes the client will not recover from get here (bad token, disallowed intents...).
      this.deps.log?.(new Error(`Discord closed the gateway with ${ev.code}; shard ${shard} stays offline (check DISCORD_TOKEN)`), 'discord gateway');
    });
  }

  /** Logs in and resolves once the gateway is ready (guilds received). */
  async start(): Promise<void> {
    const ready = once(this.deps.client, Events.ClientReady);
    await this.deps.client.login(this.deps.token);
    await ready;
  }

  /** Lets interactions in progress finish, then closes the gateway connection. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await this.deps.client.destroy();
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async handle(i: Interaction): Promise<void> {
    try {
      if (i.isChatInputCommand()) await this.onCommand(i);
      else if (i.isAutocomplete()) await this.onAutocomplete(i);
      else if (i.isButton()) await this.onButton(i);
    } catch (err) {
      // Answering failed (the interaction expired, Discord is down): nothing more can be said to the user.
      this.deps.log?.(err, `discord interaction ${i.id}`);
    }
  }

  private context(i: Interaction): CommandContext {
    return {
      platform: 'discord',
      actor: {
        userId: i.user.id,
        displayName: i.user.globalName ?? i.user.username,
        chat: chatOf(i),
        isAdmin: async () => isChannelAdmin(i),
      },
      clock: this.deps.clock,
      services: this.deps.services,
      catalog: this.commands,
      resolveChannel: async (raw) => resolveFeedChannel(i, raw),
      log: this.deps.log,
    };
  }

  private async onCommand(i: ChatInputCommandInteraction): Promise<void> {
    const answer = new Answer(i);
    const def = this.byName.get(i.commandName);
    if (!def) {
      await answer.send(replyMessage(reply(`/${i.commandName} is not a tickwatch command (any more); see /help`, { private: true, error: true })));
      return;
    }
    if (def.cost === 'render') await answer.defer();
    else answer.deferAfter(this.deferAfterMs, (err) => this.deps.log?.(err, `deferring /${def.name}`));
    const options: Record<string, unknown> = {};
    for (const o of i.options.data) options[o.name] = o.value;
    const r = await executeCommand(def, { options }, this.context(i), this.limiter);
    await answer.send(replyMessage(r));
  }

  private async onButton(i: ButtonInteraction): Promise<void> {
    const answer = new Answer(i);
    // The Chart button posts a chart for everyone; every other button answers the presser only.
    if (decodeAction(i.customId)?.type === 'chart') await answer.defer();
    else answer.deferAfter(this.deferAfterMs, (err) => this.deps.log?.(err, 'deferring a button'), true);
    const out = await executeAction(i.customId, this.context(i), this.limiter);
    await answer.send(replyMessage(out.reply ?? reply(out.toast, { private: true, error: out.alert })));
  }

  private async onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const def = this.byName.get(i.commandName);
    const focused = i.options.getFocused(true);
    const spec = def?.args.find((a) => a.name === focused.name);
    const typed = String(focused.value);
    if (!spec) return i.respond([]);
    if (spec.autocomplete === 'symbols') {
      let found: string[] = [];
      try {
        found = await this.deps.services.symbols.search(typedWord(spec, typed), COMMAND_LIMITS.choices);
      } catch (err) {
        this.deps.log?.(err, `autocomplete /${i.commandName} ${spec.name}`);
      }
      return i.respond(symbolChoices(spec, typed, found));
    }
    const choices = (choicesOf(spec) ?? []).filter((c) => c.startsWith(typed.toLowerCase())).slice(0, COMMAND_LIMITS.choices);
    return i.respond(choices.map((c) => ({ name: c, value: c })));
  }
}

/**
 * One interaction's answer: replied at once when the work was quick, otherwise deferred and then
 * edited. Discord fixes a reply's visibility when it is deferred, so a private answer (an error)
 * to a public deferral replaces the "thinking…" message with a private follow-up.
 */
class Answer {
  private deferred: Promise<unknown> | undefined;
  private deferredPrivate = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly i: RepliableInteraction) {}

  defer(isPrivate = false): Promise<unknown> {
    if (!this.deferred) {
      this.deferredPrivate = isPrivate;
      this.deferred = this.i.deferReply(isPrivate ? { flags: MessageFlags.Ephemeral } : {});
    }
    return this.deferred;
  }

  deferAfter(ms: number, onError: (err: unknown) => void, isPrivate = false): void {
    this.timer = setTimeout(() => void this.defer(isPrivate).catch(onError), ms);
  }

  async send(m: DiscordMessage): Promise<void> {
    clearTimeout(this.timer);
    const opts = interactionOptions(m);
    if (!this.deferred) {
      await this.i.reply(opts);
      return;
    }
    await this.deferred;
    const { flags: _flags, ...edit } = opts;
    if (m.ephemeral && !this.deferredPrivate) {
      await this.i.deleteReply();
      await this.i.followUp(opts);
      return;
    }
    await this.i.editReply(edit);
  }
}
