import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  escapeMarkdown,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type InteractionReplyOptions,
  type RESTPostAPIChannelMessageJSONBody,
} from 'discord.js';
import { encodeAction, type Button, type Reply, type RichText, type Span } from '../../../commands/framework.js';

/** Discord's message limits (its API answers 50035 beyond them). */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  buttonsPerRow: 5,
  actionRows: 5,
  buttonLabel: 80,
  customId: 100,
  /** Users named in `allowed_mentions.users`. */
  allowedMentionUsers: 100,
} as const;

/** Embed accents: green for a move up, red for down, amber for market-wide and neutral replies. */
export const EMBED_COLORS = { up: 0x2ecc71, down: 0xe74c3c, neutral: 0xf1c40f } as const;

export interface DiscordFile {
  name: string;
  data: Buffer;
}

/** A message as tickwatch builds it, before it is shaped for REST or for an interaction reply. */
export interface DiscordMessage {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  files: DiscordFile[];
  /** Users whose mention in `content` may notify them; no one else is ever pinged. */
  mentionUsers: string[];
  ephemeral: boolean;
}

const ESCAPE = { heading: true, bulletedList: true, numberedList: true, maskedLink: true } as const;

/** Plain text with every Markdown character escaped. */
export function escapeText(s: string): string {
  return escapeMarkdown(s, ESCAPE);
}

function span(s: Span): string {
  switch (s.style) {
    case 'plain':
      return escapeText(s.text);
    case 'bold':
      return s.text.trim() ? `**${escapeText(s.text)}**` : escapeText(s.text);
    case 'italic':
      return s.text.trim() ? `*${escapeText(s.text)}*` : escapeText(s.text);
    case 'code':
      // A backtick cannot be escaped inside a code span: show a look-alike instead.
      return s.text ? `\`${s.text.replace(/`/g, 'ˋ')}\`` : '';
    case 'mention':
      return s.userId && /^\d{1,20}$/.test(s.userId) ? `<@${s.userId}>` : escapeText(s.text);
  }
}

/** RichText in Discord Markdown, everything escaped. */
export function markdown(text: RichText): string {
  return text.map(span).join('');
}

export function mentionedUsers(text: RichText): string[] {
  return [...new Set(text.filter((s) => s.style === 'mention' && s.userId).map((s) => s.userId as string))];
}

/** Cuts a text to a limit, marking the cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Button rows as action rows; a button whose action does not encode is left out. */
export function buttonRows(rows: readonly (readonly Button[])[] | undefined): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  const out: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  for (const row of rows ?? []) {
    const buttons: APIButtonComponentWithCustomId[] = [];
    for (const b of row.slice(0, DISCORD_LIMITS.buttonsPerRow)) {
      const id = encodeAction(b.action);
      if (id === null || id.length > DISCORD_LIMITS.customId) continue;
      const style = b.action.type === 'chart' ? ButtonStyle.Primary : ButtonStyle.Secondary;
      buttons.push({ type: ComponentType.Button, style, label: clip(b.label, DISCORD_LIMITS.buttonLabel), custom_id: id });
    }
    if (buttons.length) out.push({ type: ComponentType.ActionRow, components: buttons });
  }
  return out.slice(0, DISCORD_LIMITS.actionRows);
}

/**
 * A command's Reply: short text as the message content; a chart as an embed showing the attached
 * PNG with the text as its description; text too long for content goes to an embed too.
 */
export function replyMessage(r: Reply): DiscordMessage {
  const text = markdown(r.text);
  const m: DiscordMessage = {
    content: '',
    embeds: [],
    components: buttonRows(r.buttons),
    files: [],
    mentionUsers: mentionedUsers(r.text),
    ephemeral: r.private === true,
  };
  if (r.chart) {
    m.files.push({ name: r.chart.fileName, data: Buffer.from(r.chart.png) });
    m.embeds.push({ description: clip(text, DISCORD_LIMITS.embedDescription), image: { url: `attachment://${r.chart.fileName}` }, color: EMBED_COLORS.neutral });
  } else if (text.length <= DISCORD_LIMITS.content) {
    m.content = text;
  } else {
    m.embeds.push({ description: clip(text, DISCORD_LIMITS.embedDescription) });
  }
  return m;
}

/** The options of `interaction.reply` / `editReply` / `followUp`. */
export function interactionOptions(m: DiscordMessage): InteractionReplyOptions & { flags?: MessageFlags.Ephemeral } {
  return {
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    files: m.files.map((f) => ({ attachment: f.data, name: f.name })),
    allowedMentions: { parse: [], users: m.mentionUsers },
    ...(m.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

/** The body and files of `POST /channels/{id}/messages`. */
export function restMessage(m: DiscordMessage): { body: RESTPostAPIChannelMessageJSONBody; files: { name: string; data: Buffer; contentType: string }[] } {
  const body: RESTPostAPIChannelMessageJSONBody = {
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    allowed_mentions: { parse: [], users: m.mentionUsers },
  };
  if (m.files.length) body.attachments = m.files.map((f, i) => ({ id: i, filename: f.name }));
  return { body, files: m.files.map((f) => ({ name: f.name, data: f.data, contentType: f.name.endsWith('.png') ? 'image/png' : 'application/octet-stream' })) };
}
