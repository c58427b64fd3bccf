import { createCanvas } from '@napi-rs/canvas';
import { decode } from 'fast-png';
import { font } from '../../src/render/fonts.js';
import type { ChartLayout, Rect } from '../../src/render/chart.js';

export interface Image {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
}

export function decodePng(png: Uint8Array): Image {
  const img = decode(png);
  return { width: img.width, height: img.height, channels: img.channels, data: img.data };
}

export type Rgb = [number, number, number];

export function hexRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function pixel(img: Image, x: number, y: number): Rgb {
  const i = (Math.round(y) * img.width + Math.round(x)) * img.channels;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

export function near(a: Rgb, b: Rgb, tolerance: number): boolean {
  return Math.abs(a[0] - b[0]) <= tolerance && Math.abs(a[1] - b[1]) <= tolerance && Math.abs(a[2] - b[2]) <= tolerance;
}

/** Pixels in `rect` (inclusive-exclusive, rounded inwards) within `tolerance` of `hex`. */
export function countColour(img: Image, rect: Rect, hex: string, tolerance = 0): { hits: number; total: number } {
  const c = hexRgb(hex);
  let hits = 0;
  let total = 0;
  for (let y = Math.ceil(rect.top); y < Math.floor(rect.bottom); y++) {
    for (let x = Math.ceil(rect.left); x < Math.floor(rect.right); x++) {
      total++;
      if (near(pixel(img, x, y), c, tolerance)) hits++;
    }
  }
  return { hits, total };
}

/** The pixel column of time `ts` on a chart (its x axis is linear over layout.time). */
export function columnOf(layout: ChartLayout, ts: number): number {
  const { min, max } = layout.time;
  return layout.plot.left + ((ts - min) / (max - min)) * (layout.plot.right - layout.plot.left);
}

/** The part of the plot between two times, full height. */
export function timeSlice(layout: ChartLayout, from: number, to: number, pane: Rect = layout.plot): Rect {
  return { left: columnOf(layout, from), right: columnOf(layout, to), top: pane.top, bottom: pane.bottom };
}

/** Text in the chart font, white on black, as an image (for glyph checks). */
export function renderText(text: string, sizePx: number, bold = false, width = 900, height = Math.ceil(sizePx * 1.6)): Image {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000000';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#ffffff';
  ctx.font = font(sizePx, bold);
  ctx.textBaseline = 'middle';
  ctx.fillText(text, 4, height / 2);
  const data = ctx.getImageData(0, 0, width, height).data;
  return { width, height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Which pixels are ink (brighter than half). */
export function inkMask(img: Image): Uint8Array {
  const mask = new Uint8Array(img.width * img.height);
  for (let i = 0; i < mask.length; i++) mask[i] = img.data[i * img.channels]! > 127 ? 1 : 0;
  return mask;
}

/** Intersection over union of two ink masks: 1 is the same shape. */
export function overlap(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return union === 0 ? 1 : inter / union;
}
