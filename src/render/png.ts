import { crc32, deflateSync } from 'node:zlib';

/**
 * A PNG encoder for opaque RGBA pixels, on Node's native zlib.
 *
 * The canvas library's own `encode('png')` spends about 45 ms on a 1200x675 chart here (it
 * compresses hard and adaptively filters every row). Charts are flat colour fills and thin lines:
 * unfiltered rows at a low deflate level compress nearly as well in a tenth of the time, and the
 * render budget is 25 ms a chart. Filtered rows ('sub', 'up') or RGB without alpha deflate a little
 * faster but cost more to prepare in JavaScript than they save (docs/render.md).
 */

/** zlib level: 1-3 are fast; charts gain little from more (see docs/render.md for the numbers). */
export const PNG_DEFLATE_LEVEL = 2;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE_RGBA = 6;
const BYTES_PER_PIXEL = 4;
const IEND = Buffer.alloc(0);

/**
 * Encodes pictures of one size after another, reusing its row buffer: a fresh buffer of a few
 * megabytes per picture costs more in page faults than the copy into it.
 */
export class PngEncoder {
  private raw: Buffer | undefined;

  constructor(private readonly level = PNG_DEFLATE_LEVEL) {}

  encode(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
    const stride = width * BYTES_PER_PIXEL;
    if (rgba.length !== stride * height) throw new Error(`encodePng: ${rgba.length} bytes do not make ${width}x${height} RGBA pixels`);
    const src = rgba instanceof Uint8Array ? rgba : new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength);
    // Each row is preceded by its filter type byte; 0 = none.
    const size = (stride + 1) * height;
    if (this.raw?.length !== size) this.raw = Buffer.alloc(size);
    const raw = this.raw;
    for (let y = 0; y < height; y++) {
      raw[y * (stride + 1)] = 0;
      raw.set(src.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
    }

    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = COLOR_TYPE_RGBA;
    // compression 0 (deflate), filter method 0, no interlace: already zero.

    const idat = deflateSync(raw, { level: this.level });
    // A buffer of its own (not a slice of Node's shared pool), so that it can be transferred between threads.
    const bytes = new Uint8Array(SIGNATURE.length + 3 * 12 + ihdr.length + idat.length);
    const out = Buffer.from(bytes.buffer);
    let o = SIGNATURE.copy(out, 0);
    o = chunk(out, o, 'IHDR', ihdr);
    o = chunk(out, o, 'IDAT', idat);
    o = chunk(out, o, 'IEND', IEND);
    if (o !== bytes.length) throw new Error('encodePng: size mismatch');
    return bytes;
  }
}

/** One picture; a PngEncoder is faster for many. */
export function encodePng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, level = PNG_DEFLATE_LEVEL): Uint8Array {
  return new PngEncoder(level).encode(rgba, width, height);
}

function chunk(out: Buffer, o: number, type: string, data: Buffer): number {
  out.writeUInt32BE(data.length, o);
  out.write(type, o + 4, 'latin1');
  data.copy(out, o + 8);
  const crc = crc32(data, crc32(Buffer.from(type, 'latin1')));
  out.writeUInt32BE(crc >>> 0, o + 8 + data.length);
  return o + 12 + data.length;
}
