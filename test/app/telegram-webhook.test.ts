import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { buildApp, buildRole, type App } from '../../src/main.js';
import { createLogger } from '../../src/ops/log.js';
import { streamId, type Bar } from '../../src/engine/core/types.js';
import { encodeWindows } from '../../src/engine/snapshot.js';
import { MarketBoard } from '../../src/ops/market-board.js';
import type { RoleApp } from '../../src/ops/roles.js';
import { startFakeExchange, type FakeExchange } from '../fakes/exchanges/index.js';
import { RedisStore } from '../../src/store/redis.js';
import { FakeTelegram, type FakeChat, type FakeUser } from '../fakes/telegram/index.js';

/**
 * Telegram webhook mode with the real grammY client: the app registers its URL with setWebhook
 * (never polls), and updates posted to that URL with Telegram's secret header are answered
 * through the Bot API; posts without the secret are refused. The test posts the updates itself,
 * as Telegram's servers would.
 */

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SECRET = 'hook_Secret-4711';
const HOOK_PATH = '/telegram/hook';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let updateId = 1;
let messageId = 1;

/** Posts one update to the webhook as Telegram does: JSON body, secret token header. */
async function post(url: string, chat: FakeChat, from: FakeUser, text: string, secret: string | undefined): Promise<number> {
  const cmd = /^\/[A-Za-z0-9_]+/.exec(text);
  const message = {
    message_id: messageId++,
    date: Math.floor(Date.now() / 1000),
    chat,
    from: { is_bot: false, ...from },
    text,
    ...(cmd ? { entities: [{ type: 'bot_command', offset: 0, length: cmd[0].length }] } : {}),
  };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
    body: JSON.stringify({ update_id: updateId++, message }),
  });
  await res.arrayBuffer();
  return res.status;
}

const chat: FakeChat = { id: 5151, type: 'private' };
const user: FakeUser = { id: 5151, first_name: 'Grace' };

describe('Telegram webhook mode (--role all)', () => {
  let telegram: FakeTelegram;
  let app: App;
  let url: string;

  beforeAll(async () => {
    telegram = new FakeTelegram();
    const apiRoot = await telegram.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}${HOOK_PATH}`;
    const cfg = buildConfig(
      { exchanges: {}, alerts: { dir: join(mkdtempSync(join(tmpdir(), 'tw-hook-')), 'alerts') }, http: { port }, telegram: { mode: 'webhook', webhookUrl: url } },
      { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_WEBHOOK_SECRET: SECRET },
    );
    app = await buildApp(cfg, { log: createLogger({ level: 'silent', secrets: [telegram.token, SECRET] }) });
  }, 60_000);

  afterAll(async () => {
    await app?.stop('test over');
    await telegram?.close();
  });

  it('GIVEN webhook mode THEN the URL and secret are registered, nothing polls, and a posted /help is answered', async () => {
    const set = await telegram.waitFor((c) => c.method === 'setWebhook', 'setWebhook');
    expect(set.params['url']).toBe(url);
    expect(set.params['secret_token']).toBe(SECRET);
    expect(telegram.calls.some((c) => c.method === 'getUpdates')).toBe(false);

    expect(await post(url, chat, user, '/help', SECRET)).toBe(200);
    const answer = await telegram.waitFor((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === chat.id, 'the /help answer');
    expect(answer.visibleText).toMatch(/watch/);
  });

  it('GIVEN a post without the secret or with a wrong one THEN it is refused and nothing is answered', async () => {
    const before = telegram.sends(chat.id).length;
    expect(await post(url, chat, user, '/help', undefined)).toBe(401);
    expect(await post(url, chat, user, '/help', 'not-the-secret')).toBe(401);
    // A legitimate update after them is answered, so the refused ones had their chance to show up.
    const from = telegram.calls.length;
    expect(await post(url, chat, user, '/help', SECRET)).toBe(200);
    await telegram.waitFor((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === chat.id, 'the next answer', from);
    expect(telegram.sends(chat.id).length).toBe(before + 1);
  });
});

describe('Telegram webhook mode in the bot role (Redis): commands answered from what engines publish', () => {
  const prefix = `twhook${Math.random().toString(36).slice(2, 8)}`;
  const redis = new Redis(REDIS_URL);
  let telegram: FakeTelegram;
  let venue: FakeExchange;
  let bot: RoleApp;
  let url: string;

  beforeAll(async () => {
    telegram = new FakeTelegram();
    const apiRoot = await telegram.start();
    // The venue serves only its markets here (symbol names); no engine runs.
    venue = await startFakeExchange('binance');
    const port = await freePort();
    url = `http://127.0.0.1:${port}${HOOK_PATH}`;
    const cfg = buildConfig(
      {
        exchanges: { binance: { symbols: ['BTC/USDT'], wsUrl: venue.wsUrl, restUrl: venue.restUrl } },
        store: { prefix },
        http: { port },
        telegram: { mode: 'webhook', webhookUrl: url },
      },
      { REDIS_URL, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_WEBHOOK_SECRET: SECRET },
    );
    // What an engine would have published: a live BTC/USDT line on the market board.
    const now = Date.now();
    await new MarketBoard(redis, prefix).write([{ venue: 'binance', symbol: 'BTC/USDT', price: 61234.5, ts: now - 1_000, status: 'live', since: now - 60_000, lastTradeTs: now - 500, owner: 'engine-x', at: now }]);
    bot = (await buildRole(cfg, 'bot', { log: createLogger({ level: 'silent', secrets: [telegram.token, SECRET] }) })) as RoleApp;
  }, 60_000);

  afterAll(async () => {
    await bot?.stop('test over');
    await telegram?.close();
    await venue?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('GIVEN a price on the market board THEN /price answers it, /watch stores the subscription in Redis, and /list shows its closeness from the saved windows', async () => {
    await telegram.waitFor((c) => c.method === 'setWebhook', 'setWebhook');
    expect(await post(url, chat, user, '/price btc/usdt', SECRET)).toBe(200);
    const price = await telegram.waitFor((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === chat.id, 'the /price answer');
    expect(price.visibleText).toMatch(/61,?234\.5/);
    expect(price.visibleText).toMatch(/binance/);

    const from = telegram.calls.length;
    expect(await post(url, chat, user, '/watch btc/usdt', SECRET)).toBe(200);
    const watch = await telegram.waitFor((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === chat.id, 'the /watch answer', from);
    expect(watch.visibleText).toMatch(/BTC\/USDT/);
    const subs = await redis.hgetall(`${prefix}:{s}:subs`);
    expect(Object.values(subs).some((v) => v.includes('"symbol":"BTC/USDT"') && v.includes(`"chatId":"${chat.id}"`))).toBe(true);

    // The windows an engine saved: two minutes of 1 s bars climbing 0.25%, the newest ending a second ago.
    const end = Math.floor(Date.now() / 1000) * 1000 - 1_000;
    const bars: Bar[] = Array.from({ length: 120 }, (_, i) => {
      const p = 61_000 * (1 + (0.0025 * i) / 119);
      return { ts: end - (120 - i) * 1000, open: p, high: p, low: p, close: p, volume: 1, quoteVolume: p, buyVolume: 1, sellVolume: 0, trades: 1 };
    });
    await new RedisStore(redis, { prefix }).saveSnapshots([{ stream: streamId({ venue: 'binance', symbol: 'BTC/USDT' }), data: encodeWindows(bars, [], 1_000, Date.now()) }]);
    const before = telegram.calls.length;
    expect(await post(url, chat, user, '/list', SECRET)).toBe(200);
    const list = await telegram.waitFor((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === chat.id, 'the /list answer', before);
    expect(list.visibleText).toMatch(/BTC\/USDT: .*; now \+0\.25%, \d+% of the way to firing/);
  });
});
