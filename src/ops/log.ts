import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Secret values shorter than this are not scrubbed (they would match ordinary text). */
const MIN_SECRET_LENGTH = 6;
const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of a secret value in a text. Used on every log line as written, so a
 * token that slips into an error message or a URL never reaches the log.
 */
export function secretScrubber(secrets: readonly (string | undefined)[]): (s: string) => string {
  const values = [...new Set(secrets.filter((x): x is string => typeof x === 'string' && x.length >= MIN_SECRET_LENGTH))];
  if (values.length === 0) return (s) => s;
  // Longest first, so that a secret containing another is replaced whole.
  values.sort((a, b) => b.length - a.length);
  const escaped = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // JSON-escaped forms too (a secret with a quote or backslash appears escaped in a JSON line).
  for (const v of values) {
    const j = JSON.stringify(v).slice(1, -1);
    if (j !== v) escaped.push(j.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
  const re = new RegExp(escaped.join('|'), 'g');
  return (s) => s.replace(re, REDACTED);
}

export interface LogOptions {
  level: string;
  /** Values never to print (chat tokens, the dashboard token, credentials in URLs). */
  secrets: readonly (string | undefined)[];
  /** Where lines go; standard error by default (standard output carries the console sink's alerts). */
  destination?: DestinationStream | undefined;
}

/** Structured JSON logs, one line per event, secrets scrubbed from every line. */
export function createLogger(o: LogOptions): Logger {
  const scrub = secretScrubber(o.secrets);
  return pino(
    {
      level: o.level,
      base: { app: 'tickwatch' },
      hooks: { streamWrite: scrub },
      redact: { paths: ['token', '*.token', 'secrets', '*.secrets', 'authorization', '*.authorization', 'headers.authorization'], censor: REDACTED },
    },
    o.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
