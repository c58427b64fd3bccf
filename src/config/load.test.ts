import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_DEFAULTS, engineOptions } from '../engine/options.js';
import { buildConfig, ConfigError, loadConfigFile, secretValues } from './load.js';

describe('config', () => {
  it('the commented example validates and equals the defaults', async () => {
    const fromExample = await loadConfigFile(join(import.meta.dirname, '../../config.example.yaml'), {});
    const defaults = buildConfig({}, {});
    expect(fromExample.exchanges).toEqual(defaults.exchanges);
    expect({ ...fromExample, exchanges: null, engine: null }).toEqual({ ...defaults, exchanges: null, engine: null });
    // The engine values written in the example are the engine's own defaults.
    for (const [k, v] of Object.entries(fromExample.engine)) expect(ENGINE_DEFAULTS[k as keyof typeof ENGINE_DEFAULTS]).toEqual(v);
    expect(defaults.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(defaults.alerts.dir).toBe('./alerts');
    expect(defaults.store.url).toBeUndefined();
  });

  it('GIVEN engine.ensemble THEN the engine combines detectors that way, and a value out of range names its path', () => {
    const cfg = buildConfig({ engine: { ensemble: { calibration: 'each', rearmBars: 10, agreementBonus: 0.25, weights: { zscore: 2 } } } }, {});
    const e = engineOptions(cfg.engine).ensemble;
    expect(e).toMatchObject({ calibration: 'each', rearmBars: 10, agreementBonus: 0.25, weights: { zscore: 2 }, fireScore: ENGINE_DEFAULTS.ensemble.fireScore });
    try {
      buildConfig({ engine: { ensemble: { fireScore: 2, calibration: 'loud', weights: { nope: 1 } } } }, {});
      expect.unreachable();
    } catch (err) {
      const p = (err as ConfigError).problems.join('\n');
      expect(p).toContain('engine.ensemble.fireScore');
      expect(p).toContain('engine.ensemble.calibration');
      expect(p).toContain('engine.ensemble.weights');
    }
  });

  it('lists every problem with its path and a hint', () => {
    try {
      buildConfig({ exchanges: { binance: { wsUrl: 'http://x', symbols: 'BTC' } }, http: { port: 'eighty' }, nope: 1 }, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const p = (err as ConfigError).problems.join('\n');
      expect(p).toContain('exchanges.binance.wsUrl: expected a ws:// or wss:// URL');
      expect(p).toContain('exchanges.binance.symbols');
      expect(p).toContain('http.port');
      expect(p).toMatch(/nope/);
    }
  });

  it('the environment overrides the file, and secrets come only from the environment', () => {
    const cfg = buildConfig({ store: { url: 'redis://file:1' } }, { REDIS_URL: 'redis://env:2', TICKWATCH_HTTP_PORT: '9999', DISCORD_TOKEN: 'd-secret', TELEGRAM_BOT_TOKEN: 't-secret' });
    expect(cfg.store.url).toBe('redis://env:2');
    expect(cfg.http.port).toBe(9999);
    expect(cfg.secrets).toEqual({ discordToken: 'd-secret', telegramToken: 't-secret', dashboardToken: undefined, webhookSecrets: {} });
    expect(() => buildConfig({ secrets: { discordToken: 'x' } }, {})).toThrow(ConfigError);
    expect(Object.isFrozen(cfg.exchanges)).toBe(true);
  });

  it('a bad port in the environment and unreadable or invalid YAML are reported, not thrown raw', async () => {
    expect(() => buildConfig({}, { TICKWATCH_HTTP_PORT: 'x' })).toThrow(/TICKWATCH_HTTP_PORT: expected a port number/);
    const dir = mkdtempSync(join(tmpdir(), 'tw-cfg-'));
    writeFileSync(join(dir, 'bad.yaml'), 'exchanges: [\n');
    await expect(loadConfigFile(join(dir, 'bad.yaml'), {})).rejects.toThrow(/not valid YAML/);
    await expect(loadConfigFile(join(dir, 'missing.yaml'), {})).rejects.toThrow(/no such file/);
  });

  it('every secret value is known for scrubbing, the Redis password included', () => {
    const cfg = buildConfig({ webhooks: [{ name: 'ops', url: 'https://h/x' }] }, { REDIS_URL: 'redis://:p%40ss-word@h:6379', TELEGRAM_BOT_TOKEN: 'tg-token-1', TICKWATCH_WEBHOOK_SECRET_OPS: 'hook-secret' });
    expect(secretValues(cfg).sort()).toEqual(['hook-secret', 'p@ss-word', 'tg-token-1']);
  });

  it('wires mail routes, Telegram webhook mode, Discord shards and the lease settings, with their secrets from the environment', () => {
    const cfg = buildConfig(
      {
        email: { from: 'tw@example.test', smtp: { host: 'smtp.example.test', user: 'tw' }, routes: [{ name: 'desk', to: ['desk@example.test'], symbols: ['BTC/USDT'] }] },
        telegram: { mode: 'webhook', webhookUrl: 'https://bot.example.test/telegram/hook' },
        discord: { shards: [0, 1], shardCount: 4 },
        cluster: { leaseTtlMs: 6000, renewMs: 1000 },
      },
      { TICKWATCH_SMTP_PASSWORD: 'smtp-pass-1', TELEGRAM_WEBHOOK_SECRET: 'hook_secret-2', TELEGRAM_API_ROOT: 'http://127.0.0.1:1' },
    );
    expect(cfg.email?.smtp).toEqual({ host: 'smtp.example.test', port: 587, user: 'tw' });
    expect(cfg.email?.routes[0]?.sensitivity).toBe('normal');
    expect(cfg.telegram).toEqual({ mode: 'webhook', webhookUrl: 'https://bot.example.test/telegram/hook', apiRoot: 'http://127.0.0.1:1' });
    expect(cfg.discord.shards).toEqual([0, 1]);
    expect(cfg.cluster).toEqual({ leaseTtlMs: 6000, renewMs: 1000, snapshotMs: 15_000, boardMs: 2_000 });
    expect(secretValues(cfg)).toEqual(expect.arrayContaining(['smtp-pass-1', 'hook_secret-2']));
  });

  it('refuses what would fail later: webhook mode without a URL, an SMTP user without a password, leases renewed too rarely, shards without a count, a secret Telegram would refuse', () => {
    const problems = (raw: unknown, env: Record<string, string> = {}) => {
      try {
        buildConfig(raw, env);
        return '';
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
    };
    expect(problems({ telegram: { mode: 'webhook' } })).toContain('telegram.webhookUrl: telegram.mode webhook needs telegram.webhookUrl');
    expect(problems({ email: { from: 'a@b.c', smtp: { host: 'h', user: 'u' }, routes: [{ name: 'x', to: ['x@y.z'] }] } })).toContain('TICKWATCH_SMTP_PASSWORD');
    expect(problems({ email: { from: 'not-mail', smtp: { host: 'h' }, routes: [] } })).toMatch(/email\.from: expected an e-mail address[\s\S]*email\.routes/);
    expect(problems({ email: { from: 'tickwatch <a@b.c>', smtp: { host: 'h' }, routes: [{ name: 'x', to: ['x@y.z'] }, { name: 'x', to: ['w@y.z'] }] } })).toContain('email.routes: route names must differ');
    expect(problems({ cluster: { leaseTtlMs: 1500, renewMs: 1000 } })).toContain('cluster.leaseTtlMs: cluster.leaseTtlMs must be at least twice cluster.renewMs');
    expect(problems({ discord: { shards: [0, 3] } })).toContain('discord.shardCount');
    expect(problems({}, { TELEGRAM_WEBHOOK_SECRET: 'has spaces' })).toContain('TELEGRAM_WEBHOOK_SECRET');
  });
});
