/**
 * The fake's reading of Telegram HTML parse mode: the tags it allows, balanced, and every `<`, `>`
 * and `&` of the text escaped. What Telegram refuses ("can't parse entities"), the fake refuses.
 */
const ALLOWED = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a', 'tg-spoiler', 'span', 'blockquote']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

export type HtmlCheck = { ok: true; text: string; links: string[] } | { ok: false; error: string };

export function readTelegramHtml(html: string): HtmlCheck {
  const stack: string[] = [];
  const links: string[] = [];
  let text = '';
  const re = /<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"]*")*)\s*>|&(#\d+|[a-z]+);|[<>&]/gy;
  let i = 0;
  while (i < html.length) {
    re.lastIndex = i;
    const m = re.exec(html);
    if (!m || m.index !== i) {
      text += html[i];
      i++;
      continue;
    }
    i = re.lastIndex;
    if (m[0] === '<' || m[0] === '>' || m[0] === '&') return { ok: false, error: `Bad Request: can't parse entities: unescaped "${m[0]}"` };
    if (m[4] !== undefined) {
      const e = m[4];
      if (e.startsWith('#')) text += String.fromCodePoint(Number(e.slice(1)));
      else if (ENTITIES[e] !== undefined) text += ENTITIES[e];
      else return { ok: false, error: `Bad Request: can't parse entities: unsupported entity "&${e};"` };
      continue;
    }
    const tag = m[2] as string;
    if (!ALLOWED.has(tag)) return { ok: false, error: `Bad Request: can't parse entities: unsupported start tag "${tag}"` };
    if (m[1]) {
      if (stack.pop() !== tag) return { ok: false, error: `Bad Request: can't parse entities: unexpected end tag "${tag}"` };
    } else {
      stack.push(tag);
      const href = /href="([^"]*)"/.exec(m[3] ?? '')?.[1];
      if (tag === 'a' && href) links.push(href);
    }
  }
  if (stack.length) return { ok: false, error: `Bad Request: can't parse entities: unclosed tag "${stack[stack.length - 1]}"` };
  return { ok: true, text, links };
}
