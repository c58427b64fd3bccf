import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, TemporaryError } from '../../src/engine/core/errors.js';
import { SENSITIVITY_PRESETS } from '../../src/engine/core/rules.js';
import { systemClock } from '../../src/engine/ports/clock.js';
import type { OutboundMessage } from '../../src/engine/ports/destination.js';
import { verifyWebhook, WEBHOOK_HEADERS, WebhookDestination, type WebhookBody } from '../../src/delivery/destinations/webhook.js';
import { DeliveryPipeline } from '../../src/delivery/pipeline.js';
import { InProcessQueueBackend } from '../../src/queue/memory.js';
import { MemoryRateLimiter } from '../../src/queue/rate-limit.js';
import { MemoryStore } from '../../src/store/memory.js';
import { makeAlert } from '../store/conformance.js';
import { until } from '../queue/wait.js';
import { fakeChart, PNG } from './fakes.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const SECRET = 'test-secret-not-real';
let server: Server;
let base: string;
const received: Received[] = [];
/** The next answers, by path: [status, headers]. */
const script = new Map<string, [number, Record<string, string>][]>();

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const [status, headers] = script.get(req.url ?? '')?.shift() ?? [200, {}];
      res.writeHead(status, { 'x-request-id': `r${received.length}`, ...headers });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const alert = makeAlert();
function message(name: string, over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    deliveryId: `${alert.id}.d-${name}`,
    to: { platform: 'webhook', chatId: name },
    kind: 'alert',
    alerts: [alert],
    text: '[ALERT] BTC/USDT anomaly detected!',
    mentions: [],
    chart: { png: PNG, fileName: `${alert.id}.png` },
    ...over,
  };
}

describe('WebhookDestination against a local HTTP listener', () => {
  const dest = () =>
    new WebhookDestination([
      { name: 'ops', url: `${base}/ops`, secret: SECRET, chart: 'base64' },
      { name: 'plain', url: `${base}/plain`, chart: 'url' },
      { name: 'down', url: 'http://127.0.0.1:1/nothing', chart: 'none', timeoutMs: 2_000 },
    ]);

  it('POSTs the AlertEvent and the chart as base64, signed with HMAC-SHA256 over timestamp and body', async () => {
    const receipt = await dest().send(message('ops'));
    const r = received.at(-1) as Received;
    const body = JSON.parse(r.body) as WebhookBody;
    expect(body.type).toBe('alert');
    expect(body.alerts[0]).toEqual(alert);
    expect(Buffer.from(body.chart?.base64 ?? '', 'base64')).toEqual(Buffer.from(PNG));
    expect(r.headers[WEBHOOK_HEADERS.delivery]).toBe(`${alert.id}.d-ops`);
    expect(r.headers[WEBHOOK_HEADERS.idempotencyKey]).toBe(`"${alert.id}.d-ops"`);
    const ts = r.headers[WEBHOOK_HEADERS.timestamp] as string;
    expect(verifyWebhook(SECRET, ts, r.body, r.headers[WEBHOOK_HEADERS.signature] as string)).toBe(true);
    expect(verifyWebhook('other-secret', ts, r.body, r.headers[WEBHOOK_HEADERS.signature] as string)).toBe(false);
    expect(verifyWebhook(SECRET, ts, r.body.replace('BTC', 'ETH'), r.headers[WEBHOOK_HEADERS.signature] as string)).toBe(false);
    expect(receipt.messageId).toBe(`r${received.length}`);
  });

  it('sends only the chart URL when configured so, and no signature without a secret', async () => {
    await dest().send(message('plain', { chart: { png: PNG, url: 'https://charts.example/a.png', fileName: 'a.png' } }));
    const r = received.at(-1) as Received;
    const body = JSON.parse(r.body) as WebhookBody;
    expect(body.chart).toEqual({ contentType: 'image/png', fileName: 'a.png', url: 'https://charts.example/a.png' });
    expect(r.headers[WEBHOOK_HEADERS.signature]).toBeUndefined();
  });

  it('maps answers to what the queue must do: 429 waits as told, 5xx retries, 410 stops, no answer retries', async () => {
    script.set('/ops', [[429, { 'retry-after': '3' }], [503, {}], [410, {}]]);
    const d = dest();
    const e429 = await d.send(message('ops')).catch((e: unknown) => e);
    expect(e429).toBeInstanceOf(TemporaryError);
    expect((e429 as TemporaryError).retryAfterMs).toBe(3_000);
    const e503 = await d.send(message('ops')).catch((e: unknown) => e);
    expect(e503).toBeInstanceOf(TemporaryError);
    expect((e503 as TemporaryError).retryAfterMs).toBeUndefined();
    const e410 = await d.send(message('ops')).catch((e: unknown) => e);
    expect(e410).toBeInstanceOf(PermanentError);
    expect((e410 as PermanentError).reason).toBe('http 410');
    await expect(d.send(message('down'))).rejects.toBeInstanceOf(TemporaryError);
    await expect(d.send(message('nobody'))).rejects.toBeInstanceOf(PermanentError);
  });

  it('GIVEN a receiver that fails once THEN the pipeline retries it like any delivery and it arrives once', async () => {
    script.set('/flaky', [[500, {}]]);
    const before = received.length;
    const store = new MemoryStore();
    const queues = new InProcessQueueBackend();
    const pipeline = new DeliveryPipeline({
      store,
      queues,
      limiter: new MemoryRateLimiter(),
      clock: systemClock,
      destinations: [new WebhookDestination([{ name: 'flaky', url: `${base}/flaky`, secret: SECRET, chart: 'base64' }])],
      routes: [{ to: { platform: 'webhook', chatId: 'flaky' }, thresholds: { ...SENSITIVITY_PRESETS.normal } }],
      chart: fakeChart(),
      options: { deliver: { attempts: 3, backoffMs: 20, concurrency: 2 } },
    });
    pipeline.start();
    await pipeline.sink.publish(alert);
    await until(() => received.length === before + 2, 'the failed and the retried request');
    const ids = received.slice(before).map((r) => r.headers[WEBHOOK_HEADERS.delivery]);
    expect(ids[0]).toBe(ids[1]);
    const keys = received.slice(before).map((r) => r.headers[WEBHOOK_HEADERS.idempotencyKey]);
    expect(keys).toEqual([`"${ids[0]}"`, `"${ids[0]}"`]);
    await until(async () => (await pipeline.status()).every((q) => q.counts.active + q.counts.waiting + q.counts.delayed === 0), 'the queues to drain');
    expect(received.length).toBe(before + 2);
    expect(await store.getReceipt(ids[0] as string)).not.toBeNull();
    await pipeline.close();
    await queues.close();
  });
});
