import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../engine/core/errors.js';
import { configSchema, type Config } from './schema.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Names of the environment variables that hold secrets (never printed). */
export const SECRET_ENV = ['DISCORD_TOKEN', 'TELEGRAM_BOT_TOKEN', 'TICKWATCH_DASHBOARD_TOKEN', 'TICKWATCH_SMTP_PASSWORD', 'TELEGRAM_WEBHOOK_SECRET'] as const;

/** The environment variable holding webhook `name`'s signing secret. */
export function webhookSecretEnv(name: string): string {
  return `TICKWATCH_WEBHOOK_SECRET_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Every secret value in the configuration (for scrubbing logs). */
export function secretValues(cfg: Config): string[] {
  const s = cfg.secrets;
  let redisPassword: string | undefined;
  try {
    redisPassword = cfg.store.url ? decodeURIComponent(new URL(cfg.store.url).password) || undefined : undefined;
  } catch {
    redisPassword = undefined;
  }
  return [s.discordToken, s.telegramToken, s.dashboardToken, s.smtpPassword, s.telegramWebhookSecret, redisPassword, ...Object.values(s.webhookSecrets)].filter((x): x is string => !!x);
}

/** A configuration that failed validation: every problem with its path and a hint. */
export class ConfigError extends UserError {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super('bad_input', `invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates a parsed config object plus the environment into a frozen, typed config. Environment
 * variables override the file: REDIS_URL → store.url, TICKWATCH_HTTP_HOST → http.host,
 * TICKWATCH_HTTP_PORT → http.port, TICKWATCH_LOG_LEVEL → log.level; secrets come only from the environment.
 */
export function buildConfig(raw: unknown, env: Env, source = 'config'): Config {
  const input = raw === null || raw === undefined ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(['the file must hold a mapping of settings'], source);
  const merged = structuredClone(input) as Record<string, Record<string, unknown> | undefined>;
  const problems: string[] = [];
  if (env.REDIS_URL) merged.store = { ...(merged.store ?? {}), url: env.REDIS_URL };
  if (env.TICKWATCH_HTTP_PORT !== undefined) {
    const p = Number(env.TICKWATCH_HTTP_PORT);
    if (!Number.isInteger(p)) problems.push(`TICKWATCH_HTTP_PORT: expected a port number, got ${JSON.stringify(env.TICKWATCH_HTTP_PORT)}`);
    else merged.http = { ...(merged.http ?? {}), port: p };
  }
  if (env.TICKWATCH_HTTP_HOST) merged.http = { ...(merged.http ?? {}), host: env.TICKWATCH_HTTP_HOST };
  if (env.TICKWATCH_LOG_LEVEL) merged.log = { ...(merged.log ?? {}), level: env.TICKWATCH_LOG_LEVEL };
  const r = configSchema.safeParse(merged);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const path = issue.path.length ? issue.path.join('.') : '(top level)';
      problems.push(`${path}: ${issue.message}`);
    }
  }
  if (r.success) {
    if (r.data.email?.smtp.user && !env.TICKWATCH_SMTP_PASSWORD) problems.push('email.smtp.user: set TICKWATCH_SMTP_PASSWORD in the environment (the password never goes in the file)');
    const hook = env.TELEGRAM_WEBHOOK_SECRET;
    if (hook !== undefined && hook !== '' && !/^[A-Za-z0-9_-]{1,256}$/.test(hook)) problems.push('TELEGRAM_WEBHOOK_SECRET: Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - only');
  }
  if (problems.length > 0 || !r.success) throw new ConfigError(problems, source);
  const cfg: Config = {
    ...r.data,
    discord: { ...r.data.discord, applicationId: env.DISCORD_APPLICATION_ID || undefined, apiBase: env.DISCORD_API_BASE || undefined },
    telegram: { ...r.data.telegram, apiRoot: env.TELEGRAM_API_ROOT || undefined },
    secrets: {
      discordToken: env.DISCORD_TOKEN || undefined,
      telegramToken: env.TELEGRAM_BOT_TOKEN || undefined,
      dashboardToken: env.TICKWATCH_DASHBOARD_TOKEN || undefined,
      smtpPassword: env.TICKWATCH_SMTP_PASSWORD || undefined,
      telegramWebhookSecret: env.TELEGRAM_WEBHOOK_SECRET || undefined,
      webhookSecrets: Object.fromEntries(
        r.data.webhooks.flatMap((w) => {
          const v = env[webhookSecretEnv(w.name)];
          return v ? [[w.name, v]] : [];
        }),
      ),
    },
  };
  return deepFreeze(cfg);
}

/** Reads and validates a YAML config file (or only the environment when path is undefined). */
export async function loadConfigFile(path: string | undefined, env: Env): Promise<Config> {
  if (path === undefined) return buildConfig({}, env, 'environment');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError([`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`], path);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`not valid YAML: ${(err as Error).message.split('\n')[0]}`], path);
  }
  return buildConfig(raw, env, path);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}
