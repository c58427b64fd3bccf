/**
 * The limits Discord enforces on what a bot sends (message content, embeds, buttons, autocomplete
 * choices, command definitions), answered as Discord does: 400 with code 50035 "Invalid Form
 * Body" and the offending paths. A fake that accepted anything would let an oversized embed or a
 * 101-character custom id through the tests and fail only in production.
 */

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  embedTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  commandName: 32,
  commandDescription: 100,
  options: 25,
  allowedMentionUsers: 100,
} as const;

export class FormErrors {
  readonly errors: Record<string, string> = {};
  add(path: string, message: string): void {
    this.errors[path] ??= message;
  }
  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
  /** Discord's error body. */
  body(): Record<string, unknown> {
    const errors: Record<string, unknown> = {};
    for (const [path, message] of Object.entries(this.errors)) errors[path] = { _errors: [{ code: 'BASE_TYPE_INVALID', message }] };
    return { code: 50035, message: 'Invalid Form Body', errors };
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function maxLen(e: FormErrors, path: string, v: unknown, max: number): number {
  const s = str(v);
  if (s.length > max) e.add(path, `Must be ${max} or fewer in length.`);
  return s.length;
}

function checkEmbed(e: FormErrors, path: string, embed: Record<string, unknown>): number {
  let total = maxLen(e, `${path}.title`, embed.title, LIMITS.embedTitle);
  total += maxLen(e, `${path}.description`, embed.description, LIMITS.embedDescription);
  const footer = (embed.footer ?? {}) as Record<string, unknown>;
  total += maxLen(e, `${path}.footer.text`, footer.text, LIMITS.footer);
  const author = (embed.author ?? {}) as Record<string, unknown>;
  total += maxLen(e, `${path}.author.name`, author.name, LIMITS.authorName);
  const fields = Array.isArray(embed.fields) ? (embed.fields as Record<string, unknown>[]) : [];
  if (fields.length > LIMITS.embedFields) e.add(`${path}.fields`, `Must be ${LIMITS.embedFields} or fewer in length.`);
  fields.forEach((f, i) => {
    if (!str(f.name) || !str(f.value)) e.add(`${path}.fields.${i}`, 'Field name and value are required.');
    total += maxLen(e, `${path}.fields.${i}.name`, f.name, LIMITS.fieldName);
    total += maxLen(e, `${path}.fields.${i}.value`, f.value, LIMITS.fieldValue);
  });
  return total;
}

function checkComponents(e: FormErrors, rows: unknown[]): void {
  if (rows.length > LIMITS.actionRows) e.add('components', `Must be ${LIMITS.actionRows} or fewer in length.`);
  const ids = new Set<string>();
  rows.forEach((row, r) => {
    const rr = row as Record<string, unknown>;
    if (rr.type !== 1) return e.add(`components.${r}.type`, 'Top-level components must be action rows.');
    const items = Array.isArray(rr.components) ? (rr.components as Record<string, unknown>[]) : [];
    if (items.length === 0 || items.length > LIMITS.buttonsPerRow) e.add(`components.${r}.components`, `Must be between 1 and ${LIMITS.buttonsPerRow} in length.`);
    items.forEach((b, i) => {
      const p = `components.${r}.components.${i}`;
      if (b.type !== 2) return;
      maxLen(e, `${p}.label`, b.label, LIMITS.buttonLabel);
      if (!b.label && !b.emoji) e.add(`${p}.label`, 'A button needs a label or an emoji.');
      if (b.style === 5) {
        if (!str(b.url)) e.add(`${p}.url`, 'Link buttons need a url.');
        return;
      }
      const id = str(b.custom_id);
      if (!id) e.add(`${p}.custom_id`, 'This field is required.');
      maxLen(e, `${p}.custom_id`, id, LIMITS.customId);
      if (ids.has(id)) e.add(`${p}.custom_id`, 'Component custom id cannot be duplicated.');
      ids.add(id);
    });
  });
}

/** A message body (create or edit). `files` counts the attached files. */
export function checkMessage(body: Record<string, unknown>, files: number, creating: boolean): FormErrors {
  const e = new FormErrors();
  maxLen(e, 'content', body.content, LIMITS.content);
  const embeds = Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [];
  if (embeds.length > LIMITS.embeds) e.add('embeds', `Must be ${LIMITS.embeds} or fewer in length.`);
  let total = 0;
  embeds.forEach((em, i) => (total += checkEmbed(e, `embeds.${i}`, em)));
  if (total > LIMITS.embedTotal) e.add('embeds', `Embed size exceeds maximum size of ${LIMITS.embedTotal}`);
  if (Array.isArray(body.components)) checkComponents(e, body.components as unknown[]);
  const users = (body.allowed_mentions as { users?: unknown } | undefined)?.users;
  if (Array.isArray(users) && users.length > LIMITS.allowedMentionUsers) e.add('allowed_mentions.users', `Must be ${LIMITS.allowedMentionUsers} or fewer in length.`);
  if (creating && !str(body.content) && embeds.length === 0 && files === 0 && !(Array.isArray(body.components) && body.components.length)) {
    e.add('content', 'Cannot send an empty message');
  }
  return e;
}

export function checkChoices(choices: unknown): FormErrors {
  const e = new FormErrors();
  if (!Array.isArray(choices)) {
    e.add('data.choices', 'This field is required.');
    return e;
  }
  if (choices.length > LIMITS.choices) e.add('data.choices', `Must be ${LIMITS.choices} or fewer in length.`);
  (choices as Record<string, unknown>[]).forEach((c, i) => {
    const name = str(c.name);
    if (name.length < 1 || name.length > LIMITS.choiceName) e.add(`data.choices.${i}.name`, `Must be between 1 and ${LIMITS.choiceName} in length.`);
    if (typeof c.value === 'string') maxLen(e, `data.choices.${i}.value`, c.value, LIMITS.choiceValue);
  });
  return e;
}

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;
/** Option types a command may declare (sub-commands excluded: tickwatch commands are flat). */
const OPTION_TYPES = new Set([3, 4, 5, 6, 7, 8, 9, 10, 11]);

/** A list of application commands as `PUT /applications/{id}/commands` receives it. */
export function checkCommands(list: unknown): FormErrors {
  const e = new FormErrors();
  if (!Array.isArray(list)) {
    e.add('_', 'Expected an array of commands.');
    return e;
  }
  const names = new Set<string>();
  (list as Record<string, unknown>[]).forEach((c, i) => {
    const name = str(c.name);
    if (!NAME.test(name) || name !== name.toLowerCase()) e.add(`${i}.name`, 'Command name is invalid');
    if (names.has(name)) e.add(`${i}.name`, 'Application command names must be unique');
    names.add(name);
    const desc = str(c.description);
    if (desc.length < 1 || desc.length > LIMITS.commandDescription) e.add(`${i}.description`, `Must be between 1 and ${LIMITS.commandDescription} in length.`);
    const options = Array.isArray(c.options) ? (c.options as Record<string, unknown>[]) : [];
    if (options.length > LIMITS.options) e.add(`${i}.options`, `Must be ${LIMITS.options} or fewer in length.`);
    let optional = false;
    const optNames = new Set<string>();
    options.forEach((o, j) => {
      const p = `${i}.options.${j}`;
      const on = str(o.name);
      if (!NAME.test(on) || on !== on.toLowerCase()) e.add(`${p}.name`, 'Option name is invalid');
      if (optNames.has(on)) e.add(`${p}.name`, 'Option names must be unique');
      optNames.add(on);
      const od = str(o.description);
      if (od.length < 1 || od.length > LIMITS.commandDescription) e.add(`${p}.description`, `Must be between 1 and ${LIMITS.commandDescription} in length.`);
      if (!OPTION_TYPES.has(o.type as number)) e.add(`${p}.type`, 'Value is not a valid option type.');
      if (o.required === true && optional) e.add(`${p}.required`, 'Required options must be placed before non-required options');
      if (o.required !== true) optional = true;
      const choices = Array.isArray(o.choices) ? o.choices : undefined;
      if (choices && o.autocomplete === true) e.add(`${p}.autocomplete`, 'Autocomplete cannot be set with choices.');
      if (choices && choices.length > LIMITS.choices) e.add(`${p}.choices`, `Must be ${LIMITS.choices} or fewer in length.`);
      if (o.autocomplete === true && ![3, 4, 10].includes(o.type as number)) e.add(`${p}.autocomplete`, 'Autocomplete is only for string, integer and number options.');
    });
  });
  return e;
}
