import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { PngEncoder, encodePng } from './png.js';

describe('encodePng', () => {
  it('GIVEN RGBA pixels THEN a PNG decoder reads back the same pixels', () => {
    const w = 37;
    const h = 11;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 31 + (i >> 7)) & 255;
    const img = decode(encodePng(rgba, w, h));
    expect([img.width, img.height, img.channels, img.depth]).toEqual([w, h, 4, 8]);
    expect(Buffer.from(img.data as Uint8Array).equals(Buffer.from(rgba))).toBe(true);
  });

  it('GIVEN a byte count that is not width x height pixels THEN it says so', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(/2x2/);
  });

  it('returns a buffer of its own, safe to transfer to another thread', () => {
    const png = encodePng(new Uint8Array(16), 2, 2);
    expect(png.byteOffset).toBe(0);
    expect(png.buffer.byteLength).toBe(png.byteLength);
  });

  it('GIVEN one encoder for picture after picture THEN each PNG is the one that picture gives alone', () => {
    const picture = (w: number, h: number, seed: number) => Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * seed + (i >> 5)) & 255);
    const pictures = [picture(37, 11, 31), picture(37, 11, 7), picture(5, 3, 13), picture(37, 11, 31)];
    const sizes = [[37, 11], [37, 11], [5, 3], [37, 11]] as const;
    const encoder = new PngEncoder();
    for (const [i, rgba] of pictures.entries()) {
      const [w, h] = sizes[i]!;
      const png = encoder.encode(rgba, w, h);
      expect(Buffer.from(png).equals(Buffer.from(encodePng(rgba, w, h)))).toBe(true);
      expect(Buffer.from(decode(png).data as Uint8Array).equals(Buffer.from(rgba))).toBe(true);
    }
  });
});
