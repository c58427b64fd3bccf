import { plainText, type RichText, type Span } from '../../../commands/framework.js';

/** Bot API limits on visible text (after entity parsing). */
export const TELEGRAM_TEXT_MAX = 4096;
export const TELEGRAM_CAPTION_MAX = 1024;

/** Escapes text for Telegram's HTML parse mode (the three characters it requires). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function spanHtml(s: Span): string {
  const t = escapeHtml(s.text);
  switch (s.style) {
    case 'plain':
      return t;
    case 'bold':
      return `<b>${t}</b>`;
    case 'italic':
      return `<i>${t}</i>`;
    case 'code':
      return `<code>${t}</code>`;
    case 'mention':
      return s.userId && /^\d+$/.test(s.userId) ? `<a href="tg://user?id=${s.userId}">${t}</a>` : t;
  }
}

/** RichText as Telegram HTML, every span escaped. */
export function toTelegramHtml(r: RichText): string {
  return r.map(spanHtml).join('');
}

/** Visible length as Telegram counts it (UTF-16 code units of the text without markup). */
export function visibleLength(r: RichText): number {
  return plainText(r).length;
}

/** Cuts RichText to at most `max` visible characters, ending with an ellipsis when cut. */
export function truncateRich(r: RichText, max: number): RichText {
  if (visibleLength(r) <= max) return r;
  const out: Span[] = [];
  let left = max - 1;
  for (const s of r) {
    if (left <= 0) break;
    const text = s.text.length <= left ? s.text : s.text.slice(0, left);
    out.push({ ...s, text });
    left -= text.length;
  }
  out.push({ style: 'plain', text: '…' });
  return out;
}
