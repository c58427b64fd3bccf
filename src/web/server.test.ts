import { afterAll, describe, expect, it } from 'vitest';
import { AppMetrics } from '../ops/metrics.js';
import { createHttpApp, listen, type RunningServer } from './server.js';

describe('HTTP: /healthz and /metrics', () => {
  let ready = false;
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('/healthz is 503 until ready, then 200; /metrics speaks the Prometheus text format', async () => {
    const metrics = new AppMetrics({ defaultMetrics: false });
    metrics.gauge('tickwatch_up', 'Up', [], () => [{ labels: {}, value: 1 }]);
    const app = createHttpApp({
      metrics,
      health: { check: async () => ({ ready, checks: { store: { ok: true }, feeds: { ok: ready, detail: ready ? '3 live' : 'none live' } } }) },
    });
    const s = await listen(app, '127.0.0.1', 0);
    servers.push(s);
    const base = `http://127.0.0.1:${s.port}`;
    let r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ status: 'not ready', checks: { feeds: { ok: false } } });
    ready = true;
    r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    r = await fetch(`${base}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await r.text()).toContain('tickwatch_up 1');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('a port already in use is an error, not a crash', async () => {
    const app = createHttpApp({ metrics: new AppMetrics({ defaultMetrics: false }), health: { check: async () => ({ ready: true, checks: {} }) } });
    const a = await listen(app, '127.0.0.1', 0);
    servers.push(a);
    await expect(listen(app, '127.0.0.1', a.port)).rejects.toThrow(/EADDRINUSE/);
  });
});
