import { describe, expect, it } from 'vitest';
import { buildConfig } from '../config/load.js';
import { discordGatewayOptions, outboundDestinations, staticRoutes, telegramWebhookPath } from './compose.js';

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
});
