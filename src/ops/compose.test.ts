import { describe, expect, it } from 'vitest';
import { buildConfig } from '../config/load.js';
import { discordGatewayOptions, inDoubtReporter, outboundDestinations, staticRoutes, telegramWebhookPath } from './compose.js';
import { createLogger } from './log.js';
import { AppMetrics } from './metrics.js';

describe('composition from config', () => {
  it('GIVEN discord.shards THEN the gateway client runs those shards (auto, or a list with the total)', () => {
    expect(discordGatewayOptions(buildConfig({}, {})).shards).toBeUndefined();
    expect(discordGatewayOptions(buildConfig({ discord: { shards: 'auto' } }, {})).shards).toBe('auto');
    const split = discordGatewayOptions(buildConfig({ discord: { shards: [2, 3], shardCount: 4 } }, {}));
    expect(split.shards).toEqual([2, 3]);
    expect(split.shardCount).toBe(4);
  });

  it('GIVEN mail and webhook routes THEN each is a static route at its own sensitivity, and mail goes out through an email destination', () => {
    const cfg = buildConfig(
      {
        webhooks: [{ name: 'ops', url: 'https://h.example/x', sensitivity: 'high' }],
        email: { from: 'tw@example.test', smtp: { host: '127.0.0.1', port: 2525 }, routes: [{ name: 'desk', to: ['desk@example.test'], symbols: ['BTC/USDT'], sensitivity: 'low' }] },
      },
      {},
    );
    const routes = staticRoutes(cfg);
    expect(routes.map((r) => `${r.to.platform}:${r.to.chatId}`)).toEqual(['console:stdout', 'webhook:ops', 'email:desk']);
    expect(routes[2]?.symbols).toEqual(['BTC/USDT']);
    expect(routes[2]?.thresholds.movePct).toBeGreaterThan(routes[1]!.thresholds.movePct);
    const out = outboundDestinations(cfg);
    expect(out.destinations.map((d) => d.platform)).toEqual(['console', 'webhook', 'email']);
    out.close();
  });

  it('GIVEN a webhook URL THEN its path is served, and a URL without a path of its own is refused', () => {
    expect(telegramWebhookPath(buildConfig({ telegram: { mode: 'webhook', webhookUrl: 'https://bot.example/tg/hook' } }, {}))).toBe('/tg/hook');
    expect(() => telegramWebhookPath(buildConfig({ telegram: { mode: 'webhook', webhookUrl: 'https://bot.example/' } }, {}))).toThrow(/path of its own/);
  });

  it('GIVEN deliveries in doubt after a crash THEN each is logged (a warning where the reader may see a repeat) and counted by platform', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: [], destination: { write: (l: string) => void lines.push(l) } });
    const metrics = new AppMetrics();
    const report = inDoubtReporter(log, metrics);
    report({ deliveryId: 'd1', platform: 'telegram', guard: 'none', sinceMs: 120, previousAttempt: 1, covered: false });
    report({ deliveryId: 'd2', platform: 'discord', guard: 'platform-key', sinceMs: 80, previousAttempt: 1, covered: true });
    report({ deliveryId: 'd3', platform: 'telegram', guard: 'none', sinceMs: 90, previousAttempt: 2, covered: false });
    const parsed = lines.map((l) => JSON.parse(l) as { level: number; delivery: string; covered: boolean });
    expect(parsed.map((p) => [p.delivery, p.level, p.covered])).toEqual([['d1', 40, false], ['d2', 30, true], ['d3', 40, false]]);
    const text = await metrics.text();
    expect(text).toContain('tickwatch_delivery_in_doubt_total{platform="telegram",covered="false"} 2');
    expect(text).toContain('tickwatch_delivery_in_doubt_total{platform="discord",covered="true"} 1');
  });
});
