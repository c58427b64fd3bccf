import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { buildApp, type App } from '../../src/main.js';
import { createLogger } from '../../src/ops/log.js';
import { calmTrades, spikeTrades, startFakeExchange, type FakeExchange } from '../fakes/exchanges/index.js';
import { FakeTelegram } from '../fakes/telegram/index.js';

const SYMBOL = 'BTC/USDT';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the whole product, end to end: Telegram user, fake exchange, fake Bot API', () => {
  let venue: FakeExchange;
  let telegram: FakeTelegram;
  let app: App;
  const chat = { id: 4242, type: 'private' as const };
  const user = { id: 4242, first_name: 'Ada' };

  beforeAll(async () => {
    venue = await startFakeExchange('binance');
    venue.addHistory(SYMBOL, calmTrades({ start: Date.now() - 2 * 3_600_000, seconds: 2 * 3600 - 1, price: 60_000, rate: 3, seed: 11 }));
    telegram = new FakeTelegram();
    const apiRoot = await telegram.start();
    const cfg = buildConfig(
      {
        exchanges: { binance: { symbols: [SYMBOL], wsUrl: venue.wsUrl, restUrl: venue.restUrl } },
        alerts: { dir: join(mkdtempSync(join(tmpdir(), 'tw-e2e-')), 'alerts') },
        http: { port: 0 },
      },
      { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot },
    );
    app = await buildApp(cfg, { log: createLogger({ level: 'silent', secrets: [telegram.token] }) });
  }, 60_000);

  afterAll(async () => {
    await app?.stop('test over');
    await telegram?.close();
    await venue?.close();
  });

  it('GIVEN a user runs /watch THEN a real-format pump on the venue arrives in their chat with its text, buttons and a PNG that decodes', async () => {
    // Wait for the stream to go live (warm start done).
    for (let i = 0; i < 200 && !app.feeds.statuses().some((s) => s.status === 'live'); i++) await sleep(100);
    expect(app.feeds.statuses().map((s) => s.status)).toContain('live');

    telegram.userSays(chat, user, '/watch btc/usdt');
    const reply = await telegram.waitFor((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === chat.id, 'the /watch reply');
    expect(reply.visibleText).toMatch(/BTC\/USDT/);

    // Calm trading, then a +7% pump in 20 s steps with bursts of buys.
    for (let i = 0; i < 20; i++) {
      const step = spikeTrades({ start: Date.now(), from: 60_000 * (1 + (0.07 * i) / 20), pct: 0.35, trades: 12, spanMs: 200 });
      venue.trade(SYMBOL, step.map((s) => ({ ...s, ts: Date.now() })));
      await sleep(1_100);
    }
    const photo = await telegram.waitFor((c) => c.method === 'sendPhoto' && Number(c.params['chat_id']) === chat.id && c.status === 200, 'the alert photo');
    expect(photo.visibleText).toMatch(/BTC\/USDT anomaly detected!/);
    expect(photo.visibleText).toMatch(/Price Change: \+[\d.]+% in/);
    expect(JSON.stringify(photo.params['reply_markup'])).toMatch(/Snooze/);
    const png = Object.values(photo.files)[0];
    expect(png).toBeDefined();
    expect(Buffer.from(png!.bytes).subarray(1, 4).toString()).toBe('PNG');
  }, 120_000);
});
