import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { buildApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/ops/log.js';
import { makeAlert } from '../store/conformance.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const ALERTS = 40;
/** The receiver answers slowly, so that the shutdown lands in the middle of the deliveries. */
const RECEIVER_DELAY_MS = 250;

describe('SIGTERM during a delivery burst (Redis): nothing is lost, nothing is sent twice', () => {
  const prefix = `twshut${Math.random().toString(36).slice(2, 8)}`;
  const received: string[] = [];
  let server: Server;
  let url: string;
  const apps: App[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        setTimeout(() => {
          const parsed = JSON.parse(body) as { alerts: { id: string }[] };
          for (const a of parsed.alerts) received.push(a.id);
          res.writeHead(200).end('ok');
        }, RECEIVER_DELAY_MS);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    for (const a of apps) await a.stop('test over').catch(() => {});
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  function start(): Promise<App> {
    const cfg = buildConfig(
      {
        exchanges: {},
        store: { prefix },
        alerts: { dir: join(mkdtempSync(join(tmpdir(), 'tw-shut-')), 'alerts') },
        http: { port: 0 },
        webhooks: [{ name: 'ops', url, chart: 'none' }],
      },
      { REDIS_URL },
    );
    return buildApp(cfg, { log: createLogger({ level: 'silent', secrets: [] }) }).then((a) => {
      apps.push(a);
      return a;
    });
  }

  it('GIVEN alerts being delivered WHEN the process is told to stop THEN the rest are delivered after restart, each exactly once', async () => {
    const first = await start();
    const t0 = Date.UTC(2025, 7, 11, 12);
    const ids: string[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const a = makeAlert({ symbol: `P${i}/USDT`, ts: t0 + i * 1_000 });
      ids.push(a.id);
      first.engine.publish(a);
    }
    // Stop once the first deliveries have started to arrive.
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(received.length).toBeGreaterThan(0);
    await first.stop('SIGTERM');
    const afterStop = received.length;
    expect(afterStop).toBeLessThan(ALERTS);

    await start();
    for (let i = 0; i < 400 && new Set(received).size < ALERTS; i++) await new Promise((r) => setTimeout(r, 50));
    expect(new Set(received)).toEqual(new Set(ids));
    // Nothing twice: every alert reached the receiver once.
    expect(received.length).toBe(ALERTS);
  }, 60_000);
});
