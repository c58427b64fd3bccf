/**
 * Symbols in URLs. Unified symbols contain `/` (BTC/USDT), which cannot stand in one path segment
 * as is. The dashboard writes them with `-` in its own links (`BTC-USDT`, the slug) and accepts
 * both the slug and the percent-encoded symbol (`BTC%2FUSDT`), in paths and in query strings.
 */

/** `BTC/USDT` -> `BTC-USDT`. Only the first `/` is the base/quote separator. */
export function symbolSlug(symbol: string): string {
  return symbol.replace('/', '-');
}

/**
 * The symbol a URL names. A decoded `/` is taken as is; a slug is matched against the known
 * symbols (case-insensitive), else its first `-` becomes the `/`.
 */
export function symbolFromUrl(text: string, known: Iterable<string>): string {
  const t = text.trim();
  const lower = t.toLowerCase();
  for (const s of known) if (s.toLowerCase() === lower || symbolSlug(s).toLowerCase() === lower) return s;
  if (t.includes('/')) return t.toUpperCase();
  const i = t.indexOf('-');
  return (i > 0 ? `${t.slice(0, i)}/${t.slice(i + 1)}` : t).toUpperCase();
}
