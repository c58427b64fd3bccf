import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordRest } from '../../src/bot/discord/client.js';
import { registerDiscordCommands } from '../../src/bot/register.js';
import { FakeDiscord, messageText, type FakeChannel, type FakeUser } from '../fakes/discord/index.js';
import { calmTrades, startFakeExchange, type FakeExchange, type NewTrade } from '../fakes/exchanges/index.js';
import { FakeTelegram } from '../fakes/telegram/index.js';
import { runTickwatch, sleep, writeAppConfig } from './processes.js';

/**
 * Secrets never leave the process: the whole product (`tickwatch run`, a child process) runs with
 * every secret set — both chat tokens, the dashboard token, a webhook signing key, the SMTP
 * password — takes commands on Telegram and Discord, meets failures on both platforms (errors
 * are logged), and sends an alert everywhere. Then everything it wrote is scanned: its standard
 * output and error (debug logs), every message and API payload the fake Telegram and the fake
 * Discord received, the webhook bodies, the mails, and `tickwatch check-config`.
 */

const SYMBOL = 'BTC/USDT';
const SECRETS = {
  TELEGRAM_BOT_TOKEN: '7770001:AAH-scan_telegram-token-z9',
  DISCORD_TOKEN: 'scan.discord-token.Qx81mZ',
  TICKWATCH_DASHBOARD_TOKEN: 'scan-dashboard-token-55',
  TICKWATCH_WEBHOOK_SECRET_OPS: 'scan-webhook-key-31',
  TICKWATCH_SMTP_PASSWORD: 'scan-smtp-pass-77',
};

async function until(cond: () => boolean, what: string, ms: number, log: () => string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; process log:\n${log().split('\n').slice(-30).join('\n')}`);
    await sleep(100);
  }
}

describe('secrets never leave the process (whole product, every secret set)', () => {
  let venue: FakeExchange;
  let telegram: FakeTelegram;
  let discord: FakeDiscord;
  let hook: Server;
  let smtp: SMTPServer;
  let child: ChildProcess;
  let calm: NodeJS.Timeout;
  let level = 0;
  let out = '';
  let err = '';
  const hookBodies: string[] = [];
  const mails: string[] = [];
  const smtpLogins: string[] = [];
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let dUser: FakeUser;
  let channel: FakeChannel;
  const chat = { id: 8181, type: 'private' as const };
  const tUser = { id: 8181, first_name: 'Ada' };

  beforeAll(async () => {
    venue = await startFakeExchange('binance');
    const hist = calmTrades({ start: Date.now() - 16 * 60_000, seconds: 16 * 60 - 1, price: 60_000, rate: 3, seed: 21 });
    venue.addHistory(SYMBOL, hist);
    level = hist[hist.length - 1]!.price;
    let seed = 3;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.0004;
    calm = setInterval(() => venue.trade(SYMBOL, [{ ts: Date.now(), price: level * (1 + noise()), qty: 0.3, side: noise() > 0 ? 'buy' : 'sell' }]), 250);

    telegram = new FakeTelegram(SECRETS.TELEGRAM_BOT_TOKEN);
    const apiRoot = await telegram.start();
    discord = await FakeDiscord.start({ token: SECRETS.DISCORD_TOKEN, heartbeatIntervalMs: 10_000 });
    dUser = discord.addUser('ada');
    channel = [...discord.addGuild('Desk', dUser).channels.values()][0]!;
    await registerDiscordCommands(discordRest(discord.token, { apiBase: discord.apiBase }), { applicationId: discord.applicationId });

    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hookBodies.push(`${JSON.stringify(req.headers)}\n${body}`);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        smtpLogins.push(String(auth.username));
        if (auth.password === SECRETS.TICKWATCH_SMTP_PASSWORD) cb(null, { user: auth.username });
        else cb(new Error('bad password'));
      },
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));

    dir = mkdtempSync(join(tmpdir(), 'tw-secrets-'));
    writeAppConfig(dir, {
      venue,
      symbols: [SYMBOL],
      lines: [
        'webhooks:',
        '  - name: ops',
        `    url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`,
        '    chart: none',
        'email:',
        '  from: tickwatch@example.test',
        '  smtp:',
        '    host: 127.0.0.1',
        `    port: ${(smtp.server.address() as AddressInfo).port}`,
        '    user: tickwatch',
        '  routes:',
        '    - name: desk',
        '      to: [desk@example.test]',
        'log:',
        '  level: debug',
      ],
    });
    env = { ...SECRETS, REDIS_URL: '', TELEGRAM_API_ROOT: apiRoot, DISCORD_API_BASE: discord.apiBase, DISCORD_APPLICATION_ID: discord.applicationId };
    // Failures on both platforms, so that error paths write their logs too.
    telegram.failNext('sendPhoto', { code: 500, description: 'Internal Server Error' });
    discord.failNext({ method: 'POST', path: /^\/channels\/[^/]+\/messages$/ }, 500, 0, '500: Internal Server Error');
    child = runTickwatch(['run', '--config', join(dir, 'config.yaml')], env);
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  }, 60_000);

  afterAll(async () => {
    clearInterval(calm);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await telegram?.close();
    await discord?.close();
    hook?.closeAllConnections();
    await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await venue?.close();
  });

  it('GIVEN commands, failures and an alert on every destination THEN no secret appears in logs, chat messages, webhook bodies, mails or check-config', async () => {
    const log = () => err;
    await until(() => /"status":"live"/.test(err) && /"platform":"discord","msg":"discord bot running"/.test(err), 'the stream live and both bots running', 60_000, log);

    telegram.userSays(chat, tUser, '/watch btc/usdt');
    await telegram.waitFor((c) => c.method === 'sendMessage' && Number(c.params['chat_id']) === chat.id, 'the /watch answer');
    telegram.userSays(chat, tUser, '/status');
    telegram.userSays(chat, tUser, '/price nosuchcoin');
    const w = await discord.answer(discord.slash({ user: dUser, channel, name: 'watch', options: { pair: 'btc/usdt' } }));
    expect(w.kind === 'choices' ? '' : messageText(w.message)).toMatch(/BTC\/USDT/);
    await discord.answer(discord.slash({ user: dUser, channel, name: 'status' }));

    // A jump of +5% within a second, with a burst of buys; the price stays up.
    const from = level;
    level = from * 1.05;
    const t0 = Date.now();
    venue.trade(SYMBOL, Array.from({ length: 40 }, (_, i): NewTrade => ({ ts: t0 + i * 20, price: from + ((level - from) * (i + 1)) / 40, qty: 2, side: 'buy' })));

    await until(() => telegram.sends(chat.id).some((c) => c.method === 'sendPhoto'), 'the alert on Telegram (after one failed attempt)', 40_000, log);
    await until(() => discord.messagesIn(channel).some((m) => m.source === 'channel'), 'the alert on Discord (after one failed attempt)', 30_000, log);
    await until(() => hookBodies.length > 0 && mails.length > 0, 'the alert on the webhook and by mail', 30_000, log);
    expect(smtpLogins).toContain('tickwatch');

    // Both tokens stop working (revoked in Discord's portal, refused by Telegram): deliveries fail
    // and the failures are logged with the platforms' own errors.
    discord.revokeToken();
    telegram.failWhen((c) => (c.method === 'sendPhoto' || c.method === 'sendMessage' ? { code: 401, description: 'Unauthorized' } : undefined));
    const top = level;
    level = top * 0.95;
    const t1 = Date.now();
    venue.trade(SYMBOL, Array.from({ length: 40 }, (_, i): NewTrade => ({ ts: t1 + i * 20, price: top + ((level - top) * (i + 1)) / 40, qty: 2, side: 'sell' })));
    await until(() => err.includes('check DISCORD_TOKEN') && err.includes('check TELEGRAM_BOT_TOKEN'), 'the logged delivery failures of both platforms', 40_000, log);

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const check = runTickwatch(['check-config', '--config', join(dir, 'config.yaml')], env);
    let checkOut = '';
    check.stdout!.on('data', (c: Buffer) => (checkOut += c.toString()));
    check.stderr!.on('data', (c: Buffer) => (checkOut += c.toString()));
    expect(await new Promise((r) => check.once('exit', r))).toBe(0);
    expect(checkOut).toContain('"smtpPassword": "(set)"');

    const written: Record<string, string> = {
      'standard output': out,
      'logs (standard error)': err,
      'Telegram API payloads': JSON.stringify(telegram.calls.map((c) => ({ method: c.method, params: c.params, result: c.result }))),
      'Discord API payloads': JSON.stringify(discord.requests.map((r) => ({ method: r.method, path: r.path, json: r.json }))),
      'Discord messages': JSON.stringify(discord.messages),
      'webhook requests': hookBodies.join('\n'),
      mails: mails.join('\n'),
      'check-config': checkOut,
    };
    // The scan has material: the run talked on every channel and logged its alerts and failures.
    expect(err).toMatch(/"msg":"alert"/);
    expect(err).toMatch(/"level":50/);
    expect(written['Telegram API payloads']).toMatch(/anomaly detected/);
    expect(written['Discord messages']).toMatch(/BTC\/USDT/);
    // Control: the token was really in use (in the one place it belongs, the Authorization header, left out of the scan).
    expect(discord.requests.some((r) => r.authorization === `Bot ${SECRETS.DISCORD_TOKEN}`)).toBe(true);
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const [where, text] of Object.entries(written)) {
        expect(text.includes(secret), `${name} found in ${where}`).toBe(false);
      }
    }
  }, 150_000);
});
