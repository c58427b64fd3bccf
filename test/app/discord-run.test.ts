import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordRest } from '../../src/bot/discord/client.js';
import { registerDiscordCommands } from '../../src/bot/register.js';
import { buildConfig } from '../../src/config/load.js';
import { buildApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/ops/log.js';
import { FakeDiscord, messageText, type FakeChannel, type FakeUser } from '../fakes/discord/index.js';
import { calmTrades, spikeTrades, startFakeExchange, type FakeExchange } from '../fakes/exchanges/index.js';
import { attachedPng } from '../bot/discord/helpers.js';

const SYMBOL = 'BTC/USDT';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the whole product, end to end: Discord user, fake exchange, fake Discord', () => {
  let venue: FakeExchange;
  let discord: FakeDiscord;
  let app: App;
  let user: FakeUser;
  let channel: FakeChannel;

  beforeAll(async () => {
    venue = await startFakeExchange('binance');
    venue.addHistory(SYMBOL, calmTrades({ start: Date.now() - 2 * 3_600_000, seconds: 2 * 3600 - 1, price: 60_000, rate: 3, seed: 12 }));
    discord = await FakeDiscord.start({ heartbeatIntervalMs: 10_000 });
    user = discord.addUser('ada');
    const guild = discord.addGuild('Desk', user);
    channel = [...guild.channels.values()][0]!;
    // Registration is the separate `npm run register` step.
    await registerDiscordCommands(discordRest(discord.token, { apiBase: discord.apiBase }), { applicationId: discord.applicationId });
    const cfg = buildConfig(
      {
        exchanges: { binance: { symbols: [SYMBOL], wsUrl: venue.wsUrl, restUrl: venue.restUrl } },
        alerts: { dir: join(mkdtempSync(join(tmpdir(), 'tw-e2e-dc-')), 'alerts') },
        http: { port: 0 },
      },
      { DISCORD_TOKEN: discord.token, DISCORD_API_BASE: discord.apiBase, DISCORD_APPLICATION_ID: discord.applicationId },
    );
    app = await buildApp(cfg, { log: createLogger({ level: 'silent', secrets: [discord.token] }) });
  }, 60_000);

  afterAll(async () => {
    await app?.stop('test over');
    await discord?.close();
    await venue?.close();
  });

  it('GIVEN a user runs /watch THEN a real-format pump on the venue arrives in the channel as an embed with buttons and a PNG that decodes', async () => {
    for (let i = 0; i < 200 && !app.feeds.statuses().some((s) => s.status === 'live'); i++) await sleep(100);
    expect(app.feeds.statuses().map((s) => s.status)).toContain('live');
    await discord.until(() => discord.commandsOf().length > 0, 'registered commands');

    const r = discord.slash({ user, channel, name: 'watch', options: { pair: 'btc/usdt' } });
    const answer = await discord.answer(r);
    expect(answer.kind === 'choices' ? '' : messageText(answer.message)).toMatch(/BTC\/USDT/);

    for (let i = 0; i < 20; i++) {
      const step = spikeTrades({ start: Date.now(), from: 60_000 * (1 + (0.07 * i) / 20), pct: 0.35, trades: 12, spanMs: 200 });
      venue.trade(SYMBOL, step.map((s) => ({ ...s, ts: Date.now() })));
      await sleep(1_100);
    }
    await discord.until(() => discord.messagesIn(channel).some((m) => m.source === 'channel'), 'the alert message', 30_000);
    const alert = discord.messagesIn(channel).find((m) => m.source === 'channel')!;
    expect(messageText(alert)).toMatch(/BTC\/USDT/);
    expect(JSON.stringify(alert.components)).toMatch(/Snooze/);
    const png = await attachedPng(alert);
    expect(png.image.width).toBe(1200);
  }, 120_000);
});
