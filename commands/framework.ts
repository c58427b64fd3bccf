/**
 * The command framework: every chat command is defined once, here in `commands/`, and each chat
 * platform derives its own surface from the definition.
 *
 * A definition (see `defineCommand`) holds:
 * - `name`, `description`, `examples`;
 * - `args`: ordered ArgSpecs. `kind` says what a value looks like and how a token turns into a
 *   typed value (`pair` and `venue` stay strings, `percent` is a number, `duration` is ms,
 *   `time-window` is `{start, end}` or `'off'`...); `required`, `choices`, `many` (takes every
 *   remaining token that fits) and `autocomplete` ('symbols': Discord offers pairs as you type);
 * - `schema`: a zod object over those typed values (ranges, defaults). Its output type is what the
 *   handler receives;
 * - `adminOnly`: the adapter's `actor.isAdmin()` (computed server side: Telegram getChatMember,
 *   Discord member permissions) must say yes;
 * - `cost`: the rate-limit class (`light`, or `render` for anything that draws a chart);
 * - `handler(args, ctx) => Promise<Reply>`.
 *
 * Adapters do not call handlers directly: they call `executeCommand(def, input, ctx, limiter)`,
 * which applies the rate limit, the admin check, argument parsing (Telegram-style text through
 * `parseText`, or Discord option values through `parseOptions`) and turns every failure into a
 * clear Reply (`errorReply`): a UserError keeps its specific message (unknown pair with
 * suggestions, a range with its limits, a limit reached with the limit); anything else becomes a
 * short apology and is passed to `ctx.log`. A handler never produces a stack trace or silence.
 *
 * A Reply is platform neutral: `text` is RichText (plain, bold, italic and code spans, which each
 * adapter renders in its own markup with everything escaped), an optional chart PNG, and optional
 * rows of buttons whose ButtonAction (`encodeAction`/`decodeAction`) fits Telegram's 64-byte
 * callback_data and Discord's 100-character custom_id.
 *
 * Handlers reach the product only through `ctx.services` (CommandServices): narrow interfaces
 * that the composition root fills with the real services.
 */
import { z } from 'zod';
import { SENSITIVITIES, UserError, type AlertEvent, type Clock, type Sensitivity, type VenueSeries } from '../src/engine/index.js';
import type { ChatAddress, FeedbackTally, Subscription, Thresholds, Vote } from '../src/engine/ports/store.js';
import { resolveSymbolOrThrow, type SubscriptionService, type SymbolResolver } from '../src/engine/services/subscriptions.js';
import type { StreamStatus } from '../src/engine/ports/feed.js';

// ---------------------------------------------------------------------------------------------
// Rich text
// ---------------------------------------------------------------------------------------------

export type SpanStyle = 'plain' | 'bold' | 'italic' | 'code' | 'mention';

export interface Span {
  style: SpanStyle;
  text: string;
  /** For `mention`: the platform user id to notify (`text` is shown where the platform needs a label). */
  userId?: string | undefined;
}

/** Text with a few styles. Adapters escape every span for their markup. */
export type RichText = readonly Span[];

export const plain = (text: string): Span => ({ style: 'plain', text });
export const bold = (text: string): Span => ({ style: 'bold', text });
export const italic = (text: string): Span => ({ style: 'italic', text });
export const code = (text: string): Span => ({ style: 'code', text });
export const mention = (userId: string, label = 'watcher'): Span => ({ style: 'mention', text: label, userId });

/** Builds RichText from strings (plain), spans and other RichText, in order. */
export function rich(...parts: readonly (string | Span | RichText)[]): Span[] {
  const out: Span[] = [];
  for (const p of parts) {
    if (typeof p === 'string') {
      if (p) out.push(plain(p));
    } else if (Array.isArray(p)) out.push(...(p as RichText));
    else out.push(p as Span);
  }
  return out;
}

/** Lines joined with newlines. */
export function lines(...rows: readonly (string | Span | RichText)[]): Span[] {
  const out: Span[] = [];
  rows.forEach((r, i) => {
    if (i > 0) out.push(plain('\n'));
    out.push(...rich(r));
  });
  return out;
}

/** The text without styles (console, logs, tests). */
export function plainText(r: RichText): string {
  return r.map((s) => s.text).join('');
}

// ---------------------------------------------------------------------------------------------
// Replies and buttons
// ---------------------------------------------------------------------------------------------

export type ActionType = 'snooze' | 'unwatch' | 'chart' | 'vote_up' | 'vote_down';

/** What a button does, about which alert. */
export interface ButtonAction {
  type: ActionType;
  alertId: string;
}

export interface Button {
  label: string;
  action: ButtonAction;
}

/** Telegram's callback_data limit (Discord's custom_id allows 100). */
export const ACTION_DATA_MAX_BYTES = 64;

const ACTION_CODES: Readonly<Record<ActionType, string>> = { snooze: 'sz', unwatch: 'uw', chart: 'ch', vote_up: 'up', vote_down: 'dn' };
const ACTION_BY_CODE = new Map(Object.entries(ACTION_CODES).map(([k, v]) => [v, k as ActionType]));

/** `sz:<alert id>`; null when it would not fit ACTION_DATA_MAX_BYTES (the button is left out). */
export function encodeAction(a: ButtonAction): string | null {
  const s = `${ACTION_CODES[a.type]}:${a.alertId}`;
  return Buffer.byteLength(s, 'utf8') <= ACTION_DATA_MAX_BYTES ? s : null;
}

export function decodeAction(data: string): ButtonAction | null {
  const i = data.indexOf(':');
  if (i < 0) return null;
  const type = ACTION_BY_CODE.get(data.slice(0, i));
  const alertId = data.slice(i + 1);
  return type && alertId ? { type, alertId } : null;
}

export interface ReplyChart {
  png: Uint8Array;
  fileName: string;
}

/** What a command answers. */
export interface Reply {
  text: RichText;
  chart?: ReplyChart | undefined;
  buttons?: readonly (readonly Button[])[] | undefined;
  /** Only the asker should see it where the platform can (Discord ephemeral replies). */
  private?: boolean | undefined;
  /** The command was refused or failed; adapters may style it. */
  error?: boolean | undefined;
}

export function reply(text: RichText | string, extra: Omit<Reply, 'text'> = {}): Reply {
  return { ...extra, text: typeof text === 'string' ? [plain(text)] : text };
}

// ---------------------------------------------------------------------------------------------
// Services the handlers use (the composition root wires the real ones)
// ---------------------------------------------------------------------------------------------

/** The subscription use cases (SubscriptionService implements it). */
export type SubscriptionCommands = Pick<
  SubscriptionService,
  'watch' | 'unwatch' | 'list' | 'setThresholds' | 'setSensitivity' | 'mute' | 'unmute' | 'muteFeeds' | 'setQuietHours' | 'feed' | 'unfeed' | 'pausedFor' | 'resume'
>;

/** Alert history and feedback (AlertLog implements it). */
export interface AlertHistory {
  history(symbol: string, limit?: number, venue?: string): Promise<AlertEvent[]>;
  get(id: string): Promise<AlertEvent | null>;
  vote(alertId: string, voter: string, vote: Vote | null): Promise<FeedbackTally>;
}

export interface VenuePrice {
  venue: string;
  price: number;
  /** Time of the newest trade (venue time). */
  ts: number;
  status?: StreamStatus | undefined;
}

export interface PriceQuote {
  symbol: string;
  /** Cross-venue median of the fresh venues, when any venue is fresh. */
  composite?: number | undefined;
  /** Every venue carrying the symbol, stale ones included (marked). */
  venues: VenuePrice[];
}

export interface PriceLookup {
  /** null when no venue carries the symbol (yet). */
  price(symbol: string, venue?: string): Promise<PriceQuote | null>;
}

/** Symbol names: what the user typed turned into a known symbol, and autocomplete. */
export interface SymbolSearch {
  /** The same resolver SubscriptionService uses: `btcusdt` -> `BTC/USDT`, or suggestions. */
  resolve: SymbolResolver;
  /** Known unified symbols matching what was typed so far, best first. */
  search(prefix: string, limit: number): string[] | Promise<string[]>;
}

/** Resolves a pair argument or throws the UserError with suggestions that `errorReply` words. */
export function resolvePair(symbols: SymbolSearch, input: string, venue?: string): Promise<string> {
  return resolveSymbolOrThrow((text, v) => symbols.resolve(text, v), input, venue);
}

/** How close a subscription is to firing right now. */
export interface Proximity {
  /** Largest move over the rule's window right now, signed %, in the rule's direction. */
  movePct: number;
  /** Latest calibrated score of the stream. */
  score?: number | undefined;
  /** 0..1: the move so far over the rule's move threshold (1: the move part is met). */
  ratio: number;
  /**
   * Set when the move was measured on bars older than the source's freshness bound (a process
   * without an engine reads saved windows): the end of the newest bar measured. `list` shows it.
   */
  asOf?: number | undefined;
}

export interface ProximitySource {
  /** null when the stream has no data yet. In-process engines answer at once; other sources may read the store. */
  proximity(symbol: string, venue: string | undefined, thresholds: Thresholds): Proximity | null | Promise<Proximity | null>;
}

/** Charts for `chart` and the Chart 24h button. */
export interface ChartSource {
  /** null when there is no data for the symbol in that range. */
  rangeChart(symbol: string, range: string, venue?: string): Promise<Uint8Array | null>;
}

export interface PreviewResult {
  symbol: string;
  /** Length of history actually replayed (ms); may be shorter than asked when little is stored. */
  spanMs: number;
  alerts: AlertEvent[];
  /** The bars replayed, for the chart. */
  series: VenueSeries[];
  chart?: Uint8Array | undefined;
}

/** "Would have fired N times": replays stored bars through a fresh engine with a candidate rule. */
export interface PreviewSource {
  preview(symbol: string, thresholds: Thresholds, spanMs: number, venue?: string): Promise<PreviewResult | null>;
}

export interface FeedHealth {
  venue: string;
  symbol: string;
  status: StreamStatus;
  since: number;
  lastTradeTs?: number | undefined;
}

export interface SystemStatus {
  feeds: FeedHealth[];
  /** Deliveries waiting, when a queue is in use. */
  queueDepth?: number | undefined;
  lastAlert?: AlertEvent | undefined;
  /** Store kind (`memory`, `redis`). */
  store?: string | undefined;
  startedAt?: number | undefined;
}

export interface SystemStatusSource {
  status(): Promise<SystemStatus>;
}

export interface CommandServices {
  subscriptions: SubscriptionCommands;
  alerts: AlertHistory;
  prices: PriceLookup;
  symbols: SymbolSearch;
  charts: ChartSource;
  preview: PreviewSource;
  status: SystemStatusSource;
  /** Optional: `list` shows closeness to firing when present. */
  proximity?: ProximitySource | undefined;
}

// ---------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------

export interface CommandActor {
  /** The platform's user id. */
  userId: string;
  /** For replies and mentions; never trusted for checks. */
  displayName?: string | undefined;
  /** The chat (and forum topic) the command came from. */
  chat: ChatAddress;
  /**
   * May this user manage the chat? Computed by the adapter on the server side (a private chat is
   * always yours). Called only for adminOnly commands, so it may cost an API request.
   */
  isAdmin(): Promise<boolean>;
}

export interface CommandContext {
  platform: string;
  actor: CommandActor;
  clock: Clock;
  services: CommandServices;
  /** Every command, for `help`. */
  catalog: readonly AnyCommand[];
  /**
   * Turns a `channel` argument into the chat to use, after checking that the actor may manage it
   * (throws a UserError `forbidden` or `not_found` otherwise). Absent: only the current chat.
   */
  resolveChannel?: ((raw: string) => Promise<ChatAddress>) | undefined;
  /** Unexpected errors go here (they are never shown to the user). */
  log?: ((err: unknown, context: string) => void) | undefined;
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

export type ArgKind =
  | 'pair'
  | 'venue'
  | 'percent'
  | 'score'
  | 'duration'
  | 'direction'
  | 'sensitivity'
  | 'channel'
  | 'range'
  | 'time-window'
  | 'timezone'
  | 'integer'
  | 'text';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  description: string;
  required?: boolean | undefined;
  /** The only accepted values (lower case). */
  choices?: readonly string[] | undefined;
  /** Takes every remaining token that fits (the last argument only). */
  many?: boolean | undefined;
  /** Also accepts the word `off` (value OFF): `mute off`. */
  off?: boolean | undefined;
  /** Discord: suggest values as the user types. */
  autocomplete?: 'symbols' | undefined;
  /** How the usage line names it; default: PAIR for pairs, else the name. */
  label?: string | undefined;
}

export type CostClass = 'light' | 'render';

export interface CommandDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  args: readonly ArgSpec[];
  schema: S;
  adminOnly?: boolean | undefined;
  cost: CostClass;
  /** Examples without the leading slash, e.g. `watch BTC/USDT 3% 5m up`. */
  examples: readonly string[];
  handler(args: z.output<S>, ctx: CommandContext): Promise<Reply>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandDefinition<any>;

/** Infers the handler's argument type from the schema. */
export function defineCommand<S extends z.ZodType>(def: CommandDefinition<S>): CommandDefinition<S> {
  const many = def.args.findIndex((a) => a.many);
  if (many >= 0 && many !== def.args.length - 1) throw new Error(`command ${def.name}: only the last argument may take many values`);
  return def;
}

export const DIRECTION_CHOICES = ['up', 'down', 'both'] as const;
export const OFF = 'off';

/** Words that name a choice of some kind; never read as a venue. */
const RESERVED_WORDS = new Set<string>([...DIRECTION_CHOICES, ...SENSITIVITIES, OFF, 'all']);

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|secs|sec|s|mins|min|m|hrs|hr|h|d|w)/gy;

/** `90s`, `5m`, `1h30m`, `2d` in ms; null when it is not a duration. */
export function parseDuration(token: string): number | null {
  const s = token.trim().toLowerCase();
  if (!s) return null;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = DURATION_PART.exec(s); m; m = DURATION_PART.exec(s)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
    end = DURATION_PART.lastIndex;
  }
  return end === s.length && end > 0 ? Math.round(total) : null;
}

const PAIR_TOKEN = /^[A-Za-z0-9]{1,24}(?:[/\-_:][A-Za-z0-9]{1,24})?$/;
const VENUE_TOKEN = /^[a-z][a-z0-9_.-]{1,31}$/i;
const NUMBER_TOKEN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const PERCENT_TOKEN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)%?$/;
const CHANNEL_TOKEN = /^(?:<#\d+>|#[\w-]{1,100}|@\w{1,64}|-?\d{1,20})$/;
const TIME_WINDOW_TOKEN = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/;
const TIMEZONE_TOKEN = /^(?:UTC|GMT|[A-Za-z][A-Za-z_]*(?:\/[A-Za-z0-9_+-]+){1,2})$/;

export type ArgValue = string | number | { start: string; end: string } | string[];

type Parsed = { ok: true; value: ArgValue } | { ok: false };
const NO: Parsed = { ok: false };

/** Reads one token as a value of the argument's kind; `{ ok: false }` when it does not fit. */
export function parseToken(spec: ArgSpec, token: string): Parsed {
  const tok = token.trim();
  if (!tok) return NO;
  const lower = tok.toLowerCase();
  if (spec.off && lower === OFF) return { ok: true, value: OFF };
  if (spec.choices) return spec.choices.includes(lower) ? { ok: true, value: lower } : NO;
  switch (spec.kind) {
    case 'pair':
      return PAIR_TOKEN.test(tok) && /[A-Za-z]/.test(tok) && !RESERVED_WORDS.has(lower) ? { ok: true, value: tok.toUpperCase().replace(/[-_:]/, '/') } : NO;
    case 'venue':
      return VENUE_TOKEN.test(tok) && !RESERVED_WORDS.has(lower) && parseDuration(tok) === null ? { ok: true, value: lower } : NO;
    case 'percent':
      return PERCENT_TOKEN.test(tok) ? { ok: true, value: Number(tok.replace('%', '')) } : NO;
    case 'score':
    case 'integer':
      return NUMBER_TOKEN.test(tok) ? { ok: true, value: Number(tok) } : NO;
    case 'duration': {
      const ms = parseDuration(tok);
      return ms === null ? NO : { ok: true, value: ms };
    }
    case 'direction':
      return (DIRECTION_CHOICES as readonly string[]).includes(lower) ? { ok: true, value: lower } : NO;
    case 'sensitivity':
      return (SENSITIVITIES as readonly string[]).includes(lower) ? { ok: true, value: lower } : NO;
    case 'channel':
      return CHANNEL_TOKEN.test(tok) ? { ok: true, value: tok } : NO;
    case 'range':
      return NO; // a range always lists its choices
    case 'time-window': {
      if (lower === OFF) return { ok: true, value: OFF };
      const m = TIME_WINDOW_TOKEN.exec(tok);
      if (!m) return NO;
      const hhmm = (h: string, mm: string) => `${h.padStart(2, '0')}:${mm}`;
      return { ok: true, value: { start: hhmm(m[1] as string, m[2] as string), end: hhmm(m[3] as string, m[4] as string) } };
    }
    case 'timezone':
      return TIMEZONE_TOKEN.test(tok) ? { ok: true, value: tok } : NO;
    case 'text':
      return { ok: true, value: tok };
  }
}

/** `PAIR`, `[venue]`, `[up|down|both]`, `PAIR...` */
function argUsage(a: ArgSpec): string {
  const choices = a.choices ?? (a.kind === 'direction' ? DIRECTION_CHOICES : a.kind === 'sensitivity' ? SENSITIVITIES : undefined);
  let label = a.label ?? (a.kind === 'pair' ? 'PAIR' : choices ? choices.join('|') : a.name);
  if (a.many) label += '...';
  return a.required ? label : `[${label}]`;
}

/** `/watch PAIR [venue] [threshold%] [window] [up|down|both]` */
export function usage(def: AnyCommand): string {
  return ['/' + def.name, ...def.args.map(argUsage)].join(' ');
}

/** Splits on spaces; double quotes keep a value with spaces together. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? (m[2] as string));
  return out;
}

export type ParseResult<T> = { ok: true; args: T } | { ok: false; message: string };

function describeToken(spec: ArgSpec): string {
  if (spec.off && spec.kind !== 'time-window') return `${describeKind(spec)}, or off`;
  return describeKind(spec);
}

function describeKind(spec: ArgSpec): string {
  const what: Record<ArgKind, string> = {
    pair: 'a pair such as BTC/USDT',
    venue: 'a venue such as binance',
    percent: 'a percentage such as 3%',
    score: 'a score between 0.5 and 1, such as 0.99',
    duration: 'a duration such as 5m, 1h or 2d',
    direction: 'up, down or both',
    sensitivity: 'low, normal or high',
    channel: 'a channel',
    range: 'a range',
    'time-window': 'hours such as 22:00-07:00, or off',
    timezone: 'a time zone such as Europe/Paris or UTC',
    integer: 'a whole number',
    text: 'text',
  };
  return spec.choices ? `one of ${spec.choices.join(', ')}` : what[spec.kind];
}

function failure(def: AnyCommand, message: string): { ok: false; message: string } {
  return { ok: false, message: `${message}\nUsage: ${usage(def)}` };
}

/**
 * Telegram-style text arguments: `BTC/USDT 3% 5m up`. Each token fills the next argument it fits
 * (optional ones may be skipped); `name=value` sets an argument by name. Then the schema checks
 * the values. Errors name the token or value and end with the usage line.
 */
export function parseText<S extends z.ZodType>(def: CommandDefinition<S>, text: string): ParseResult<z.output<S>> {
  const values: Record<string, ArgValue> = {};
  const placed: { token: string; index: number }[] = [];
  let next = 0;
  for (const token of tokenize(text)) {
    const eq = token.indexOf('=');
    const named = eq > 0 ? def.args.find((a) => a.name.toLowerCase() === token.slice(0, eq).toLowerCase()) : undefined;
    if (named) {
      const p = parseToken(named, token.slice(eq + 1));
      if (!p.ok) return failure(def, `${named.name} must be ${describeToken(named)}, got "${token.slice(eq + 1)}"`);
      assign(values, named, p.value);
      continue;
    }
    let fitted = false;
    for (let i = next; i < def.args.length; i++) {
      const spec = def.args[i] as ArgSpec;
      if (!spec.many && values[spec.name] !== undefined) continue;
      const p = parseToken(spec, token);
      if (!p.ok) continue;
      assign(values, spec, p.value);
      placed.push({ token, index: i });
      next = spec.many ? i : i + 1;
      fitted = true;
      break;
    }
    if (!fitted) {
      const open = def.args.slice(next).filter((a) => a.many || values[a.name] === undefined);
      const hint = open.length ? `; expected ${open.map(describeToken).join(', or ')}` : '; this command takes no more arguments';
      return failure(def, `did not understand "${token}"${hint}`);
    }
  }
  // A required argument skipped for a token that fitted a later one: that token was meant for it.
  const missing = def.args.findIndex((a) => a.required && values[a.name] === undefined);
  const meant = missing >= 0 ? placed.find((p) => p.index > missing) : undefined;
  if (meant) {
    const spec = def.args[missing] as ArgSpec;
    return failure(def, `${spec.name} must be ${describeToken(spec)}, got "${meant.token}"`);
  }
  return validate(def, values);
}

function assign(values: Record<string, ArgValue>, spec: ArgSpec, v: ArgValue): void {
  if (spec.many) values[spec.name] = [...((values[spec.name] as string[] | undefined) ?? []), String(v)];
  else values[spec.name] = v;
}

/**
 * Option values as a platform hands them over (Discord: strings, numbers, channel ids), read with
 * the same kinds and checked by the same schema as text arguments.
 */
export function parseOptions<S extends z.ZodType>(def: CommandDefinition<S>, raw: Readonly<Record<string, unknown>>): ParseResult<z.output<S>> {
  const values: Record<string, ArgValue> = {};
  for (const spec of def.args) {
    const v = raw[spec.name];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'number' && (spec.kind === 'percent' || spec.kind === 'score' || spec.kind === 'integer')) {
      values[spec.name] = v;
      continue;
    }
    const tokens = spec.many ? tokenize(String(v)) : [String(v)];
    for (const t of tokens) {
      const p = parseToken(spec, t);
      if (!p.ok) return failure(def, `${spec.name} must be ${describeToken(spec)}, got "${t}"`);
      assign(values, spec, p.value);
    }
  }
  return validate(def, values);
}

function validate<S extends z.ZodType>(def: CommandDefinition<S>, values: Record<string, ArgValue>): ParseResult<z.output<S>> {
  for (const spec of def.args) {
    if (spec.required && values[spec.name] === undefined) return failure(def, `missing ${argUsage({ ...spec, required: true })}: ${spec.description}`);
  }
  const r = def.schema.safeParse(values);
  if (r.success) return { ok: true, args: r.data };
  const issue = r.error.issues[0];
  const field = issue?.path.length ? String(issue.path[0]) : '';
  return failure(def, field ? `${field}: ${issue?.message}` : (issue?.message ?? 'invalid arguments'));
}

// ---------------------------------------------------------------------------------------------
// Argument schemas shared by the commands
// ---------------------------------------------------------------------------------------------

/** A number within [min, max], with a message that names the range and the unit. */
export function rangeNumber(min: number, max: number, unit = '', show: (n: number) => string = String) {
  const msg = `must be between ${show(min)}${unit} and ${show(max)}${unit}`;
  return z.number().min(min, { error: msg }).max(max, { error: msg });
}

export const argSchemas = {
  pair: z.string().min(1).max(49),
  venue: z.string().min(2).max(32),
  direction: z.enum(DIRECTION_CHOICES),
  sensitivity: z.enum(SENSITIVITIES as readonly Sensitivity[] as [Sensitivity, ...Sensitivity[]]),
  timeWindow: z.union([z.literal(OFF), z.object({ start: z.string(), end: z.string() })]),
  pairs: z.array(z.string().min(1).max(49)),
  text: z.string(),
};

// ---------------------------------------------------------------------------------------------
// Running a command
// ---------------------------------------------------------------------------------------------

/** Per-user command limits (src/bot/shared/rate-limit.ts implements it). */
export interface CommandLimiter {
  /** 0 when allowed (and counted), else ms until the user may try again. */
  take(key: string, cost: CostClass, now: number): number;
}

export type CommandInput = { text: string } | { options: Readonly<Record<string, unknown>> };

/**
 * The one way adapters run a command: rate limit, admin check, parse, handler, and every failure
 * turned into a Reply. Never throws.
 */
export async function executeCommand(def: AnyCommand, input: CommandInput, ctx: CommandContext, limiter?: CommandLimiter): Promise<Reply> {
  try {
    if (limiter) {
      const wait = limiter.take(`${ctx.platform}:${ctx.actor.userId}`, def.cost, ctx.clock.now());
      if (wait > 0) {
        return errorReply(new UserError('rate_limited', `slow down: try again in ${Math.ceil(wait / 1000)} s`, { retryAfterMs: wait }));
      }
    }
    if (def.adminOnly && !(await ctx.actor.isAdmin())) {
      return errorReply(new UserError('forbidden', `/${def.name} is for the admins of this chat (people who may manage it)`));
    }
    const parsed = 'text' in input ? parseText(def, input.text) : parseOptions(def, input.options);
    if (!parsed.ok) return errorReply(new UserError('bad_input', parsed.message));
    return await def.handler(parsed.args, ctx);
  } catch (err) {
    if (!(err instanceof UserError)) ctx.log?.(err, `command /${def.name}`);
    return errorReply(err, def);
  }
}

/** A failure as the user sees it: the specific reason for a UserError, a short apology otherwise. */
export function errorReply(err: unknown, def?: AnyCommand): Reply {
  if (!(err instanceof UserError)) {
    return reply('Something went wrong on our side. It has been logged; please try again in a minute.', { error: true, private: true });
  }
  const text: Span[] = [plain(capitalize(err.message))];
  if (err.code === 'unknown_symbol' || err.code === 'unknown_venue') {
    const suggestions = err.details['suggestions'];
    if (Array.isArray(suggestions) && suggestions.length && !err.message.includes('did you mean')) {
      text.push(plain('\nDid you mean: '));
      suggestions.slice(0, 5).forEach((s, i) => text.push(...(i ? [plain(', ')] : []), code(String(s))));
    }
  }
  if (err.code === 'bad_input' && def && !err.message.includes('Usage:')) text.push(plain(`\nUsage: ${usage(def)}`));
  return { text, error: true, private: true };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The watches and feeds a subscription list shows. */
export type { Subscription, Thresholds, ChatAddress };
