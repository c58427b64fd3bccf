/**
 * Where a chart's labels go: pure geometry from the point a label annotates, the size of its
 * measured text and the rectangle it must stay inside. No canvas here, so that every edge case is
 * tested without pixels; chart.ts measures the text and draws into the boxes these return.
 */

/** A rectangle in canvas pixels: `left < right`, `top < bottom` (y grows downwards). */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Size {
  width: number;
  height: number;
}

/** How far a label keeps from the edge of the rectangle it must stay inside. */
export const LABEL_INSET = 4;

export function boxAt(left: number, top: number, size: Size): Box {
  return { left, top, right: left + size.width, bottom: top + size.height };
}

/** `b` lies inside `bounds`, edges included. */
export function inside(b: Box, bounds: Box): boolean {
  return b.left >= bounds.left && b.right <= bounds.right && b.top >= bounds.top && b.bottom <= bounds.bottom;
}

/** The boxes share some area, or come within `margin` of each other. */
export function overlaps(a: Box, b: Box, margin = 0): boolean {
  return a.left < b.right + margin && b.left < a.right + margin && a.top < b.bottom + margin && b.top < a.bottom + margin;
}

/** `bounds` shrunk by `by` on every side (never past its own middle). */
export function inset(bounds: Box, by: number): Box {
  const dx = Math.max(0, Math.min(by, (bounds.right - bounds.left) / 2));
  const dy = Math.max(0, Math.min(by, (bounds.bottom - bounds.top) / 2));
  return { left: bounds.left + dx, top: bounds.top + dy, right: bounds.right - dx, bottom: bounds.bottom - dy };
}

/**
 * The start of a span of length `len` moved as little as possible to lie in [lo, hi]. A span
 * longer than [lo, hi] starts at `lo`: its start (the first characters of a label) stays in view.
 */
export function clampSpan(start: number, len: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(start, hi - len));
}

/** `b` moved as little as possible to lie inside `bounds` (keeping its size). */
export function clampBox(b: Box, bounds: Box): Box {
  const size = { width: b.right - b.left, height: b.bottom - b.top };
  return boxAt(clampSpan(b.left, size.width, bounds.left, bounds.right), clampSpan(b.top, size.height, bounds.top, bounds.bottom), size);
}

/**
 * The first candidate that lies inside `bounds` and clear of every box in `avoid` (by `margin`);
 * else the first that lies inside `bounds`; else the first, moved inside `bounds`. Whatever the
 * candidates, the answer lies inside `bounds` whenever the label is no larger than `bounds`.
 */
export function pickBox(candidates: readonly Box[], bounds: Box, avoid: readonly Box[] = [], margin = 0): Box {
  if (candidates.length === 0) throw new Error('pickBox: no candidate');
  const clear = candidates.find((c) => inside(c, bounds) && !avoid.some((a) => overlaps(c, a, margin)));
  return clear ?? candidates.find((c) => inside(c, bounds)) ?? clampBox(candidates[0]!, bounds);
}

/**
 * The label of an alert marker on an on-demand chart: centred over (`side: 'above'`) or under the
 * marker, `gap` pixels from it, and slid sideways as far as the chart's edge needs, so that it stays
 * above or under its marker whatever the text's width and the marker's place. When the plot has no
 * room on that side, the label goes beside the marker (the side facing the plot's middle first),
 * then on the marker's other side; never on the marker while any of those fits.
 */
export function markLabelBox(mark: Box, label: Size, bounds: Box, side: 'above' | 'below', gap: number): Box {
  const area = inset(bounds, LABEL_INSET);
  const cx = (mark.left + mark.right) / 2;
  const cy = (mark.top + mark.bottom) / 2;
  const left = clampSpan(cx - label.width / 2, label.width, area.left, area.right);
  const above = boxAt(left, mark.top - gap - label.height, label);
  const below = boxAt(left, mark.bottom + gap, label);
  const level = clampSpan(cy - label.height / 2, label.height, area.top, area.bottom);
  const right = boxAt(mark.right + gap, level, label);
  const leftOf = boxAt(mark.left - gap - label.width, level, label);
  // Beside the marker, the side facing the middle of the plot first: it is the side with room.
  const beside = cx > (area.left + area.right) / 2 ? [leftOf, right] : [right, leftOf];
  const [outward, inward] = side === 'above' ? [above, below] : [below, above];
  return pickBox([outward, ...beside, inward], area, [mark], 1);
}

/**
 * The change callout at an alert point: beside the point where no price line runs. `away` is the
 * direction the move came from (-1: the price was below, so above the point is clear), `point`
 * the marker's box, `obstacles` what the callout should not cover (line segments). Candidates left
 * of the point come first: before the move the price sat on the far side of it, so level with the
 * point on its left is usually free. Centred above and under the point are the last resort for a
 * callout wider than the room either side of the point.
 */
export function calloutBox(point: Box, label: Size, bounds: Box, away: 1 | -1, obstacles: readonly Box[], gap: number): Box {
  const area = inset(bounds, LABEL_INSET);
  const px = (point.left + point.right) / 2;
  const py = (point.top + point.bottom) / 2;
  const h = label.height;
  const w = label.width;
  const level = py - h / 2;
  const beyond = away > 0 ? py + gap : py - gap - h;
  const behind = away > 0 ? py - gap - h : py + gap;
  const left = px - gap - w;
  const right = px + gap;
  const y = (top: number) => clampSpan(top, h, area.top, area.bottom);
  const centred = clampSpan(px - w / 2, w, area.left, area.right);
  const beside = [
    boxAt(left, y(level), label),
    boxAt(left, y(beyond), label),
    boxAt(right, y(beyond), label),
    boxAt(left, y(behind), label),
    boxAt(right, y(behind), label),
    boxAt(right, y(level), label),
  ];
  const clear = beside.find((c) => inside(c, area) && !obstacles.some((o) => overlaps(c, o, 4)));
  if (clear) return clear;
  const fitting = beside.find((c) => inside(c, area));
  if (fitting) return fitting;
  // Too wide for either side of the point: over or under it, never on it.
  const over = [boxAt(centred, beyond, label), boxAt(centred, behind, label)];
  return pickBox(over, area, [point], 1);
}

/** What fitting text needs of a canvas context. */
export interface TextMeasurer {
  measureText(text: string): { width: number };
}

export const ELLIPSIS = '…';

/**
 * `text` as it fits in `maxWidth` at the measurer's font: whole, or its longest start that fits
 * followed by an ellipsis, or nothing when not even the ellipsis fits.
 */
export function fitText(ctx: TextMeasurer, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  const chars = [...text];
  const cut = (n: number) => `${chars.slice(0, n).join('').trimEnd()}${ELLIPSIS}`;
  // The longest start that fits: widths grow with the number of characters kept.
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(cut(mid)).width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  const best = cut(lo);
  return ctx.measureText(best).width <= maxWidth ? best : '';
}

/**
 * How many legend entries (of `widths`, in order, `spacing` apart) fit in `width` together with,
 * after them, the count of the lines left unnamed: `hidden` ones never drawn, and the entries that
 * did not fit. `moreWidth(n)` is the width of that count's text.
 */
export function legendEntries(widths: readonly number[], hidden: number, moreWidth: (n: number) => number, width: number, spacing: number): number {
  let end = widths.reduce((sum, w, i) => sum + w + (i > 0 ? spacing : 0), 0);
  for (let k = widths.length; k > 0; k--) {
    const rest = hidden + widths.length - k;
    if (end <= width && (rest === 0 || end + spacing + moreWidth(rest) <= width)) return k;
    end -= widths[k - 1]! + (k > 1 ? spacing : 0);
  }
  return 0;
}
