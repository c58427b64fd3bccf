import { describe, expect, it } from 'vitest';
import {
  ELLIPSIS,
  LABEL_INSET,
  calloutBox,
  clampBox,
  clampSpan,
  fitText,
  inset,
  inside,
  legendEntries,
  markLabelBox,
  overlaps,
  type Box,
  type Size,
} from './label-box.js';

/** A plot the size of a chart's (1200x675 canvas, axis on the right). */
const PLOT: Box = { left: 24, top: 96, right: 1107, bottom: 613 };
const INNER = inset(PLOT, LABEL_INSET);
const LONG: Size = { width: 90, height: 20 };

/** An alert marker's box: a triangle of half-width 9 centred at (x, y). */
function mark(x: number, y: number, s = 9): Box {
  return { left: x - s, right: x + s, top: y - s, bottom: y + s };
}

const width = (b: Box) => b.right - b.left;
const height = (b: Box) => b.bottom - b.top;

describe('markLabelBox', () => {
  it('GIVEN a marker in the middle THEN the label is centred over it, the gap above', () => {
    const m = mark(500, 300);
    const b = markLabelBox(m, LONG, PLOT, 'above', 4);
    expect((b.left + b.right) / 2).toBe(500);
    expect(b.bottom).toBe(m.top - 4);
    expect([width(b), height(b)]).toEqual([LONG.width, LONG.height]);
  });

  it('GIVEN a marker at the far right with a long label THEN the label slides left to stay in the plot, still over its marker', () => {
    const m = mark(PLOT.right, 300);
    const b = markLabelBox(m, LONG, PLOT, 'above', 4);
    expect(b.right).toBe(PLOT.right - LABEL_INSET);
    expect(b.bottom).toBe(m.top - 4);
    expect(b.left).toBeLessThan(m.left);
    expect(inside(b, INNER)).toBe(true);
  });

  it('GIVEN a marker at the far left with a long label under it THEN the label slides right to stay in the plot', () => {
    const m = mark(PLOT.left, 300);
    const b = markLabelBox(m, LONG, PLOT, 'below', 4);
    expect(b.left).toBe(PLOT.left + LABEL_INSET);
    expect(b.top).toBe(m.bottom + 4);
    expect(inside(b, INNER)).toBe(true);
  });

  it('GIVEN no room above a marker at the top right THEN the label goes beside it, on the plot side, clear of it', () => {
    const m = mark(PLOT.right, PLOT.top + 12);
    const b = markLabelBox(m, LONG, PLOT, 'above', 4);
    expect(inside(b, INNER)).toBe(true);
    expect(overlaps(b, m)).toBe(false);
    expect(b.right).toBeLessThanOrEqual(m.left);
  });

  it('GIVEN no room above a marker at the top left THEN the label goes to its right', () => {
    const m = mark(PLOT.left, PLOT.top + 12);
    const b = markLabelBox(m, LONG, PLOT, 'above', 4);
    expect(inside(b, INNER)).toBe(true);
    expect(b.left).toBeGreaterThanOrEqual(m.right);
  });

  it('GIVEN no room under a marker at the bottom THEN the label stays inside, clear of the marker', () => {
    const m = mark(600, PLOT.bottom - 10);
    const b = markLabelBox(m, LONG, PLOT, 'below', 25);
    expect(inside(b, INNER)).toBe(true);
    expect(overlaps(b, m)).toBe(false);
  });

  it('GIVEN a label wider than the plot THEN its start stays in view at the plot\'s left', () => {
    const b = markLabelBox(mark(PLOT.right, 300), { width: 2000, height: 20 }, PLOT, 'above', 4);
    expect(b.left).toBe(INNER.left);
  });

  it('GIVEN any marker place, label length and side THEN the label lies inside the plot and off its marker', () => {
    let cases = 0;
    const bad: string[] = [];
    for (let x = PLOT.left; x <= PLOT.right; x += 19) {
      for (let y = PLOT.top + 12; y <= PLOT.bottom - 12; y += 23) {
        for (const w of [12, 61, 90, 140, 260]) {
          for (const side of ['above', 'below'] as const) {
            for (const gap of [4, 25]) {
              const m = mark(x, y);
              const b = markLabelBox(m, { width: w, height: 20 }, PLOT, side, gap);
              cases++;
              if (!inside(b, INNER) || overlaps(b, m)) bad.push(`x ${x} y ${y} w ${w} ${side} gap ${gap}`);
            }
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(cases).toBeGreaterThan(10_000);
  });

  it('GIVEN a small plot THEN the label still lies inside it', () => {
    const small: Box = { left: 10, top: 10, right: 130, bottom: 60 };
    for (let x = small.left; x <= small.right; x += 5) {
      const b = markLabelBox(mark(x, 35), { width: 100, height: 20 }, small, 'above', 4);
      expect(inside(b, inset(small, LABEL_INSET)), `x ${x}`).toBe(true);
    }
  });
});

describe('calloutBox', () => {
  const point = (x: number, y: number): Box => ({ left: x - 10, right: x + 10, top: y - 10, bottom: y + 10 });
  const CALLOUT: Size = { width: 320, height: 40 };

  it('GIVEN an alert point in the middle and nothing in the way THEN the callout sits level with it on its left', () => {
    const p = point(600, 300);
    const b = calloutBox(p, CALLOUT, PLOT, -1, [], 16);
    expect(b.right).toBe(600 - 16);
    expect((b.top + b.bottom) / 2).toBe(300);
  });

  it('GIVEN an alert point at the far left THEN the callout goes to its right, inside the plot', () => {
    const p = point(PLOT.left, 300);
    const b = calloutBox(p, CALLOUT, PLOT, 1, [], 16);
    expect(b.left).toBe(PLOT.left + 16);
    expect(inside(b, INNER)).toBe(true);
  });

  it('GIVEN an alert point at the far right, at the top THEN the callout is on its left, inside the plot', () => {
    const p = point(PLOT.right, PLOT.top);
    const b = calloutBox(p, CALLOUT, PLOT, -1, [], 16);
    expect(b.right).toBe(PLOT.right - 16);
    expect(inside(b, INNER)).toBe(true);
    expect(overlaps(b, p)).toBe(false);
  });

  it('GIVEN a line where the first choice would go THEN the callout takes the next place clear of it', () => {
    const p = point(600, 300);
    const line: Box = { left: 200, right: 580, top: 290, bottom: 310 };
    const b = calloutBox(p, CALLOUT, PLOT, -1, [line], 16);
    expect(overlaps(b, line, 4)).toBe(false);
    expect(inside(b, INNER)).toBe(true);
  });

  it('GIVEN a callout wider than the room either side of the point THEN it goes over or under the point, inside the plot', () => {
    const narrow: Box = { left: 0, top: 0, right: 400, bottom: 300 };
    const p = point(200, 150);
    const b = calloutBox(p, CALLOUT, narrow, -1, [], 16);
    expect(inside(b, inset(narrow, LABEL_INSET))).toBe(true);
    expect(overlaps(b, p)).toBe(false);
  });

  it('GIVEN any point place, callout width and direction THEN the callout lies inside the plot and off the point', () => {
    const bad: string[] = [];
    for (let x = PLOT.left; x <= PLOT.right; x += 17) {
      for (let y = PLOT.top; y <= PLOT.bottom; y += 29) {
        for (const w of [80, 320, 700]) {
          for (const away of [1, -1] as const) {
            const p = point(x, y);
            const b = calloutBox(p, { width: w, height: 40 }, PLOT, away, [], 16);
            if (!inside(b, INNER) || overlaps(b, p)) bad.push(`x ${x} y ${y} w ${w} away ${away}`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('clamping', () => {
  it('clampSpan moves a span as little as needed, and keeps the start of one too long', () => {
    expect(clampSpan(50, 10, 0, 100)).toBe(50);
    expect(clampSpan(95, 10, 0, 100)).toBe(90);
    expect(clampSpan(-5, 10, 0, 100)).toBe(0);
    expect(clampSpan(30, 200, 0, 100)).toBe(0);
  });

  it('clampBox keeps the size and moves the box inside', () => {
    expect(clampBox({ left: 1190, top: -10, right: 1290, bottom: 10 }, { left: 0, top: 0, right: 1200, bottom: 675 })).toEqual({ left: 1100, top: 0, right: 1200, bottom: 20 });
  });
});

describe('fitText', () => {
  /** Ten pixels a character (a surrogate pair is one character). */
  const mono = { measureText: (t: string) => ({ width: [...t].length * 10 }) };

  it('GIVEN text that fits THEN it is unchanged', () => {
    expect(fitText(mono, 'BTC/USDT', 80)).toBe('BTC/USDT');
  });

  it('GIVEN text too wide THEN its longest start that fits, with an ellipsis, and no trailing space before it', () => {
    expect(fitText(mono, 'binance, coinbase', 60)).toBe(`binan${ELLIPSIS}`);
    expect(fitText(mono, 'ab cdef', 40)).toBe(`ab${ELLIPSIS}`);
  });

  it('GIVEN room for the ellipsis alone THEN the ellipsis; without room even for that THEN nothing', () => {
    expect(fitText(mono, 'abc', 20)).toBe(`a${ELLIPSIS}`);
    expect(fitText(mono, 'abc', 10)).toBe(ELLIPSIS);
    expect(fitText(mono, 'abc', 5)).toBe('');
  });

  it('never cuts a character in two', () => {
    expect(fitText(mono, '𝔸𝔹ℂ𝔻', 30)).toBe(`𝔸𝔹${ELLIPSIS}`);
  });
});

describe('legendEntries', () => {
  const more = (n: number) => 10 * `+${n} more`.length;

  it('GIVEN entries that all fit THEN all are shown', () => {
    expect(legendEntries([100, 100, 100], 0, more, 400, 18)).toBe(3);
  });

  it('GIVEN entries that do not all fit THEN those shown leave room for the count of the rest', () => {
    // 100 + 18 + 100 + 18 + 100 = 336: three fit alone, but "+1 more" (70) after them would not.
    const k = legendEntries([100, 100, 100, 100], 0, more, 400, 18);
    expect(k).toBe(2);
    expect(100 + 18 + 100 + 18 + more(4 - k)).toBeLessThanOrEqual(400);
  });

  it('GIVEN hidden lines THEN room for their count is kept even when every entry would fit', () => {
    expect(legendEntries([100, 100, 100], 2, more, 340, 18)).toBe(2);
  });

  it('GIVEN not even one entry with its count THEN none', () => {
    expect(legendEntries([500], 1, more, 400, 18)).toBe(0);
  });
});
