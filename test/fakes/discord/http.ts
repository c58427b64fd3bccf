import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One uploaded file of a multipart request (`files[n]`). */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** A REST request as the fake saw it, kept for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, percent-decoded per segment (`/webhooks/1/tok/messages/@original`). */
  path: string;
  /** The path exactly as it arrived. */
  rawPath: string;
  query: URLSearchParams;
  /** The Authorization header, if any (`Bot <token>`). */
  authorization?: string | undefined;
  contentType?: string | undefined;
  /** JSON body, or `payload_json` of a multipart body. */
  json: unknown;
  files: UploadedFile[];
  status: number;
  at: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string> | undefined;
}

export const json = (body: unknown, status = 200): Answer => ({ status, body });
/** 204: no body and, as Discord does, no content type (discord.js would parse an empty JSON body). */
export const noContent = (): Answer => ({ status: 204 });
export const apiError = (status: number, code: number, message: string): Answer => ({ status, body: { message, code } });

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * JSON or multipart (`payload_json` plus `files[n]`): multipart is parsed by the runtime's own
 * FormData parser (undici), the same one fetch uses.
 */
export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<{ json: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { json: null, files: [] };
  const ct = contentType ?? '';
  if (ct.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': ct } }).formData();
    let body: unknown = null;
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
        continue;
      }
      files.push({ field, filename: value.name, contentType: value.type || 'application/octet-stream', bytes: Buffer.from(await value.arrayBuffer()) });
    }
    return { json: body, files };
  }
  return { json: JSON.parse(raw.toString('utf8')), files: [] };
}

export function writeAnswer(res: ServerResponse, a: Answer): void {
  const headers: Record<string, string> = { ...(a.headers ?? {}) };
  if (a.status === 204 || a.body === undefined) {
    res.writeHead(a.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(a.body);
  headers['content-type'] = 'application/json';
  res.writeHead(a.status, headers);
  res.end(text);
}

/** A fixed window of `limit` requests per `windowMs` for one bucket and major parameter. */
export interface BucketRule {
  limit: number;
  windowMs: number;
}

interface BucketState {
  used: number;
  resetAt: number;
}

/**
 * Discord's per-route buckets: every answer carries `x-ratelimit-limit`, `-remaining`, `-reset`,
 * `-reset-after` and `-bucket`; a request over the limit gets 429 with `retry-after`, the scope
 * and a JSON `retry_after`. Rules are per route template (`POST /channels/:id/messages`), counted
 * per major parameter (the channel, the guild, the webhook).
 */
export class Buckets {
  private readonly state = new Map<string, BucketState>();

  constructor(
    private readonly rules: Readonly<Record<string, BucketRule>>,
    private readonly fallback: BucketRule,
  ) {}

  /** Counts the request; returns the headers to send, or a 429 answer. */
  take(template: string, major: string, now = Date.now()): { headers: Record<string, string>; limited?: Answer } {
    const rule = this.rules[template] ?? this.fallback;
    const key = `${template} ${major}`;
    let s = this.state.get(key);
    if (!s || now >= s.resetAt) this.state.set(key, (s = { used: 0, resetAt: now + rule.windowMs }));
    const hash = createHash('sha1').update(template).digest('hex').slice(0, 16);
    const resetAfter = Math.max(0, s.resetAt - now) / 1000;
    if (s.used >= rule.limit) {
      return { headers: {}, limited: rateLimited(resetAfter * 1000, { bucket: hash, limit: rule.limit, scope: 'user' }) };
    }
    s.used++;
    return {
      headers: {
        'x-ratelimit-limit': String(rule.limit),
        'x-ratelimit-remaining': String(rule.limit - s.used),
        'x-ratelimit-reset': (s.resetAt / 1000).toFixed(3),
        'x-ratelimit-reset-after': resetAfter.toFixed(3),
        'x-ratelimit-bucket': hash,
      },
    };
  }
}

export interface RateLimitShape {
  bucket?: string | undefined;
  limit?: number | undefined;
  global?: boolean | undefined;
  scope?: 'user' | 'global' | 'shared' | undefined;
}

/**
 * A 429 as Discord sends it. `retry-after` is whole seconds (rounded up, as Discord sends it);
 * the JSON `retry_after` and `x-ratelimit-reset-after` keep the fraction.
 */
export function rateLimited(retryAfterMs: number, shape: RateLimitShape = {}): Answer {
  const s = retryAfterMs / 1000;
  const global = shape.global ?? false;
  const headers: Record<string, string> = {
    'retry-after': String(Math.max(1, Math.ceil(s))),
    'x-ratelimit-scope': shape.scope ?? (global ? 'global' : 'user'),
  };
  if (global) headers['x-ratelimit-global'] = 'true';
  else {
    headers['x-ratelimit-limit'] = String(shape.limit ?? 5);
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = ((Date.now() + retryAfterMs) / 1000).toFixed(3);
    headers['x-ratelimit-reset-after'] = s.toFixed(3);
    if (shape.bucket) headers['x-ratelimit-bucket'] = shape.bucket;
  }
  return { status: 429, headers, body: { message: 'You are being rate limited.', retry_after: Number(s.toFixed(3)), global } };
}
