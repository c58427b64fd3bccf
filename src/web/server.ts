import { serve, type ServerType } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppMetrics } from '../ops/metrics.js';

/** What /healthz reports: ready only when the store answers and at least one feed is live. */
export interface HealthSource {
  check(): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> }>;
}

export interface HttpDeps {
  health: HealthSource;
  metrics: AppMetrics;
}

/**
 * The HTTP app: /healthz, /metrics, and the routes other modules mount (the dashboard and its
 * read-only API). Built on Hono so that the API's zod schemas also generate its OpenAPI document.
 */
export function createHttpApp(deps: HttpDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  app.get('/healthz', async (c) => {
    try {
      const h = await deps.health.check();
      return c.json({ status: h.ready ? 'ready' : 'not ready', checks: h.checks }, h.ready ? 200 : 503);
    } catch (err) {
      return c.json({ status: 'not ready', error: (err as Error).message }, 503);
    }
  });
  app.get('/metrics', async (c) => {
    const body = await deps.metrics.text();
    return c.body(body, 200, { 'content-type': deps.metrics.contentType });
  });
  return app;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (port 0: any free port) and resolves once listening. */
export function listen(app: OpenAPIHono, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: Error) => reject(err);
    server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
      server.off('error', onError);
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', onError);
  });
}
