import { readFileSync } from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import { FONT_FAMILY, registerChartFonts } from '../../src/render/fonts.js';
import { REFERENCE_SIZE, REFERENCE_TEXT, REFERENCE_WIDTH } from './fixtures/make-text-reference.js';
import { decodePng, inkMask, overlap, renderText, type Image } from './helpers.js';

/** Every character the charts print: names, numbers, units, separators and arrows. */
const CHART_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-%.,:/()·▲▼–σ…';
/** A private-use code point: no font has it, so it draws as the missing-glyph box. */
const MISSING = '\uE000';
/** A glyph this much like the box (intersection over union) would be read as one. */
const MAX_BOX_LIKENESS = 0.6;
/** Reference comparison: a pixel differs when its value moves more than this... */
const PIXEL_TOLERANCE = 64;
/** ...and the rendering matches when at most this fraction of pixels differ. */
const MAX_DIFFERING = 0.01;

beforeAll(() => registerChartFonts());

function differing(a: Image, b: Image): number {
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (Math.abs(a.data[i * a.channels]! - b.data[i * b.channels]!) > PIXEL_TOLERANCE) n++;
  }
  return n / (a.width * a.height);
}

describe('chart text', () => {
  it('registers the shipped font family in regular and bold', () => {
    const fam = GlobalFonts.families.find((f) => f.family === FONT_FAMILY);
    expect(fam?.styles.map((s) => s.weight).sort()).toEqual([400, 700]);
  });

  it.each([false, true])('GIVEN every character the charts print (bold: %s) THEN none draws as the missing-glyph box', (bold) => {
    const box = inkMask(renderText(MISSING, 40, bold, 64, 64));
    expect(box.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    const boxLike: string[] = [];
    for (const ch of CHART_ALPHABET) {
      const mask = inkMask(renderText(ch, 40, bold, 64, 64));
      if (mask.reduce((a, b) => a + b, 0) === 0 || overlap(mask, box) > MAX_BOX_LIKENESS) boxLike.push(ch);
    }
    expect(boxLike).toEqual([]);
  });

  it('GIVEN the header text THEN it matches the reference rendering within tolerance, and boxes would not', () => {
    const reference = decodePng(readFileSync(new URL('./fixtures/text-reference.png', import.meta.url)));
    const now = renderText(REFERENCE_TEXT, REFERENCE_SIZE, true, REFERENCE_WIDTH);
    expect([now.width, now.height]).toEqual([reference.width, reference.height]);
    expect(differing(now, reference)).toBeLessThanOrEqual(MAX_DIFFERING);
    const boxes = renderText(REFERENCE_TEXT.replace(/[^ ]/g, MISSING), REFERENCE_SIZE, true, REFERENCE_WIDTH);
    expect(differing(boxes, reference)).toBeGreaterThan(MAX_DIFFERING * 5);
  });
});
