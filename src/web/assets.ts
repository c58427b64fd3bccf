import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import { formatScore } from '../engine/alerts/format.js';

/** How many folders up from this module to look for `assets/web` (src/web or dist/src/web). */
const MAX_ASCENT = 5;
/** Smaller files are sent as they are: compressing them saves less than the header costs. */
const MIN_COMPRESS_BYTES = 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

interface StaticFile {
  body: Uint8Array;
  type: string;
  etag: string;
  gzip?: Uint8Array | undefined;
}

/** The dashboard's own front-end folder, found from this module's place in the source tree or in `dist/`. */
export function webAssetDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i <= MAX_ASCENT; i++) {
    const candidate = join(dir, 'assets', 'web');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`dashboard assets not found: no assets/web/index.html above ${fileURLToPath(import.meta.url)}`);
}

/** Chart.js's own single-file browser build, from the installed package (no CDN). */
export function chartJsFile(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(entry), 'chart.umd.min.js');
}

/**
 * Functions of the product's own code the pages import, served as an ES module written from the
 * running code itself, so that a page cannot word a thing differently from chat: scores are
 * floored by formatScore on both (0.9999 never reads 1.000).
 */
export const SHARED_MODULE = 'js/shared-format.js';
const SHARED_FUNCTIONS = [formatScore] as const;

/** The shared module's text. Each function must be self-contained (it is sent as its own source). */
export function sharedModuleSource(fns: readonly ((...args: never[]) => unknown)[] = SHARED_FUNCTIONS): string {
  const parts = fns.map((fn) => {
    const src = fn.toString();
    if (!src.startsWith(`function ${fn.name}(`)) throw new Error(`${fn.name || 'an anonymous function'} cannot be sent to the browser: it must be a plain function declaration`);
    return `export ${src}`;
  });
  return `// Served by tickwatch from its own running code: the same functions chat uses.\n${parts.join('\n\n')}\n`;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * The front end, read once into memory: pages, scripts, styles and Chart.js. Each file is served
 * with a strong ETag (a repeat visit costs a 304) and, when the browser accepts it, gzipped (done
 * on first request and kept).
 */
export class StaticFiles {
  private readonly files = new Map<string, StaticFile>();

  constructor(dir: string = webAssetDir(), chartJs: string = chartJsFile()) {
    for (const p of walk(dir)) this.add(relative(dir, p).split(sep).join('/'), readFileSync(p));
    this.add('vendor/chart.umd.min.js', readFileSync(chartJs));
    if (this.files.has(SHARED_MODULE)) throw new Error(`${SHARED_MODULE} is written by tickwatch: remove it from ${dir}`);
    this.add(SHARED_MODULE, new TextEncoder().encode(sharedModuleSource()));
  }

  private add(name: string, body: Uint8Array): void {
    const type = TYPES[extname(name)];
    if (!type) return;
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    this.files.set(name, { body, type, etag });
  }

  names(): string[] {
    return [...this.files.keys()].sort();
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  /** The file's response: 304 when the browser holds it, gzipped when it may be, 404 when unknown. */
  serve(c: Context, name: string): Response {
    const f = this.files.get(name);
    if (!f) return c.json({ error: 'not_found', message: `no file ${name}` }, 404);
    const headers: Record<string, string> = { 'content-type': f.type, etag: f.etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding' };
    const inm = c.req.header('if-none-match');
    if (inm && inm.split(',').some((t) => t.trim() === f.etag)) return new Response(null, { status: 304, headers });
    const accepts = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (accepts && f.body.byteLength >= MIN_COMPRESS_BYTES) {
      f.gzip ??= gzipSync(f.body, { level: 9 });
      return new Response(f.gzip as Uint8Array<ArrayBuffer>, { headers: { ...headers, 'content-encoding': 'gzip' } });
    }
    return new Response(f.body as Uint8Array<ArrayBuffer>, { headers });
  }
}
