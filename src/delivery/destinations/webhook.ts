import { createHmac, timingSafeEqual } from 'node:crypto';
import { PermanentError, TemporaryError } from '../../engine/core/errors.js';
import type { Destination, OutboundMessage } from '../../engine/ports/destination.js';
import type { DeliveryReceipt } from '../../engine/ports/store.js';

/**
 * Header names a receiver reads; the signature covers `<timestamp>.<body>`. The delivery id goes
 * twice: as our own header and as the standard `Idempotency-Key` (IETF httpapi draft), so that
 * a receiver or gateway that already dedupes by it drops a repeat without reading ours.
 */
export const WEBHOOK_HEADERS = {
  signature: 'x-tickwatch-signature',
  timestamp: 'x-tickwatch-timestamp',
  delivery: 'x-tickwatch-delivery',
  idempotencyKey: 'idempotency-key',
} as const;

/** A receiver should refuse signatures older than this (replays). */
export const WEBHOOK_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export interface WebhookTarget {
  /** The route's chat id: `{ platform: 'webhook', chatId: name }`. */
  name: string;
  url: string;
  /** HMAC-SHA256 key (from the environment, never from config files). Absent: unsigned. */
  secret?: string | undefined;
  /** `base64`: chart bytes in the body; `url`: only its URL (when the deployment serves charts). */
  chart: 'base64' | 'url' | 'none';
  timeoutMs?: number | undefined;
}

/** Default answer time a receiver gets before the delivery is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The JSON body a webhook receives. */
export interface WebhookBody {
  type: 'alert' | 'burst';
  deliveryId: string;
  sentAt: number;
  text: string;
  alerts: OutboundMessage['alerts'];
  pairsFollowed?: number | undefined;
  chart?: { contentType: 'image/png'; fileName: string; base64?: string; url?: string } | undefined;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): true when the signature matches and is recent. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string, now = Date.now()): boolean {
  const ts = Number(timestamp);
  if (!Number.isFinite(ts) || Math.abs(now - ts) > WEBHOOK_SIGNATURE_TOLERANCE_MS) return false;
  const want = Buffer.from(signWebhook(secret, timestamp, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** `Retry-After` as seconds or an HTTP date, in ms from now. */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** Statuses worth retrying: timeouts, throttling, server trouble. Other 4xx will not get better. */
const RETRYABLE_STATUS = new Set([408, 425, 429]);

/**
 * Outbound webhooks for the operator's own pipelines: a signed JSON POST per message, carrying
 * the delivery id as an idempotency key so that a receiver can drop a repeat.
 */
export class WebhookDestination implements Destination {
  readonly platform = 'webhook';
  private readonly targets: Map<string, WebhookTarget>;

  constructor(
    targets: readonly WebhookTarget[],
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.targets = new Map(targets.map((t) => [t.name, t]));
  }

  async send(msg: OutboundMessage): Promise<DeliveryReceipt> {
    const t = this.targets.get(msg.to.chatId);
    if (!t) throw new PermanentError(`no webhook named "${msg.to.chatId}" is configured`, 'unknown webhook');
    const sentAt = Date.now();
    const body: WebhookBody = { type: msg.kind, deliveryId: msg.deliveryId, sentAt, text: msg.text, alerts: msg.alerts, pairsFollowed: msg.pairsFollowed };
    const c = msg.chart;
    if (c && t.chart !== 'none' && (c.png || c.url)) {
      body.chart = { contentType: 'image/png', fileName: c.fileName };
      if (t.chart === 'base64' && c.png) body.chart.base64 = Buffer.from(c.png).toString('base64');
      if (c.url) body.chart.url = c.url;
    }
    const json = JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'tickwatch-webhook',
      [WEBHOOK_HEADERS.delivery]: msg.deliveryId,
      [WEBHOOK_HEADERS.idempotencyKey]: `"${msg.deliveryId}"`,
      [WEBHOOK_HEADERS.timestamp]: String(sentAt),
    };
    if (t.secret) headers[WEBHOOK_HEADERS.signature] = signWebhook(t.secret, String(sentAt), json);
    let res: Response;
    try {
      res = await this.fetchImpl(t.url, { method: 'POST', body: json, headers, signal: AbortSignal.timeout(t.timeoutMs ?? WEBHOOK_TIMEOUT_MS) });
    } catch (err) {
      throw new TemporaryError(`webhook "${t.name}" unreachable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    // Drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { at: Date.now(), messageId: res.headers.get('x-request-id') ?? undefined };
    const what = `webhook "${t.name}" answered ${res.status}`;
    if (RETRYABLE_STATUS.has(res.status) || res.status >= 500) {
      throw new TemporaryError(what, { retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
    }
    throw new PermanentError(what, `http ${res.status}`);
  }
}
