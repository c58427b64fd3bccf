// Before the canvas library loads: it reads its allocator settings once, then.
import './native-memory.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * Charts use only the fonts shipped in `assets/fonts` (DejaVu Sans, Bitstream Vera license), under
 * a family name of our own so that no system font is ever picked in their place: text renders the
 * same on a slim container with no fonts installed as on a desktop.
 */
export const FONT_FAMILY = 'TickwatchSans';

export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'] as const;

/** How many folders up from this module to look for `assets/fonts` (src/render or dist/src/render). */
const MAX_ASCENT = 5;

/** The shipped font folder, found from this module's place in the source tree or in `dist/`. */
export function fontDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i <= MAX_ASCENT; i++) {
    const candidate = join(dir, 'assets', 'fonts');
    if (existsSync(join(candidate, FONT_FILES[0]))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`chart fonts not found: no assets/fonts/${FONT_FILES[0]} above ${fileURLToPath(import.meta.url)}`);
}

/**
 * Registers the chart fonts with the canvas library of this thread (each worker thread has its
 * own). Safe to call many times.
 */
export function registerChartFonts(dir: string = fontDir()): void {
  if (GlobalFonts.has(FONT_FAMILY)) return;
  for (const file of FONT_FILES) {
    const key = GlobalFonts.registerFromPath(join(dir, file), FONT_FAMILY);
    if (!key) throw new Error(`chart font could not be loaded: ${join(dir, file)}`);
  }
}

/** A CSS font string in the chart family. */
export function font(sizePx: number, bold = false): string {
  return `${bold ? 'bold ' : ''}${sizePx}px ${FONT_FAMILY}`;
}
