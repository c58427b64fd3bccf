import type { UploadedFile } from './http.js';
import type { FakeMessage } from './model.js';

/** Interaction types and callback types, as numbers on the wire. */
export const InteractionKind = { Command: 2, Component: 3, Autocomplete: 4 } as const;
export const Callback = {
  Reply: 4,
  DeferReply: 5,
  DeferUpdate: 6,
  Update: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

/** Option types of a chat input command. */
export const OptionKind = { String: 3, Integer: 4, Boolean: 5, User: 6, Channel: 7, Role: 8, Number: 10 } as const;

export interface CallbackRecord {
  type: number;
  data: Record<string, unknown>;
  files: UploadedFile[];
  at: number;
}

/** One interaction the fake sent, and everything the bot answered to it. */
export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  payload: Record<string, unknown>;
  userId: string;
  channelId: string;
  guildId?: string | undefined;
  createdAt: number;
  callbacks: CallbackRecord[];
  /** The reply message (callback 4, or 5 then edited). */
  original?: FakeMessage | undefined;
  followups: FakeMessage[];
  /** Autocomplete choices (callback 8). */
  choices?: { name: string; value: string | number }[] | undefined;
  /** The message a button press replaced (callback 7). */
  updated?: FakeMessage | undefined;
  /** Callbacks and webhook calls the fake refused (late, twice, invalid), with the error body. */
  refused: { path: string; status: number; body: unknown }[];
}

/** What the user finally sees of an interaction, once there is something to see. */
export type InteractionAnswer =
  | { kind: 'message'; message: FakeMessage; ephemeral: boolean }
  | { kind: 'choices'; choices: { name: string; value: string | number }[] }
  | { kind: 'update'; message: FakeMessage };

export function answerOf(r: InteractionRecord): InteractionAnswer | undefined {
  if (r.choices) return { kind: 'choices', choices: r.choices };
  if (r.original && !r.original.deferred) return { kind: 'message', message: r.original, ephemeral: (r.original.flags & 64) !== 0 };
  if (r.updated) return { kind: 'update', message: r.updated };
  const f = r.followups[0];
  if (f) return { kind: 'message', message: f, ephemeral: (f.flags & 64) !== 0 };
  return undefined;
}

/** The text a user reads in a message: content, then each embed's title, description and fields. */
export function messageText(m: FakeMessage): string {
  const parts = [m.content];
  for (const e of m.embeds) {
    if (typeof e.title === 'string') parts.push(e.title);
    if (typeof e.description === 'string') parts.push(e.description);
    for (const f of (e.fields ?? []) as { name: string; value: string }[]) parts.push(`${f.name}: ${f.value}`);
    const footer = e.footer as { text?: string } | undefined;
    if (footer?.text) parts.push(footer.text);
  }
  return parts.filter(Boolean).join('\n');
}

/** Buttons of a message, in order: label (or emoji), custom id, style. */
export function buttonsOf(m: FakeMessage): { label: string; customId: string; style: number }[] {
  const out: { label: string; customId: string; style: number }[] = [];
  for (const row of m.components) {
    for (const c of (row.components ?? []) as Record<string, unknown>[]) {
      if (c.type !== 2) continue;
      const emoji = (c.emoji as { name?: string } | undefined)?.name ?? '';
      out.push({ label: String(c.label ?? emoji), customId: String(c.custom_id ?? ''), style: Number(c.style) });
    }
  }
  return out;
}
