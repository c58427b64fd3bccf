import { createTransport, type Transporter } from 'nodemailer';
import { formatChange } from '../../engine/alerts/format.js';
import { PermanentError, TemporaryError } from '../../engine/core/errors.js';
import type { Destination, OutboundMessage } from '../../engine/ports/destination.js';
import type { DeliveryReceipt } from '../../engine/ports/store.js';

export interface EmailTarget {
  /** The route's chat id: `{ platform: 'email', chatId: name }`. */
  name: string;
  to: string[];
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** From the environment, never from config files. */
  auth?: { user: string; pass: string } | undefined;
  /** Seconds-scale limits so that a hung server fails the attempt instead of the worker. */
  timeoutMs?: number | undefined;
}

export interface EmailDestinationOptions {
  from: string;
  targets: readonly EmailTarget[];
}

/**
 * Everything the mail destination needs, as plain data: the SMTP server and its login, the sender,
 * and the named mail routes. A route `{ platform: 'email', chatId: name }` mails `targets[name]`.
 */
export interface EmailOptions {
  host: string;
  /** 465 (TLS from the first byte), 587 or 25 (STARTTLS when the server offers it). */
  port: number;
  /** TLS from the first byte; default: true on port 465, false otherwise. */
  secure?: boolean | undefined;
  /** SMTP login (from the environment, never from config files); both or neither. */
  user?: string | undefined;
  pass?: string | undefined;
  /** The From address, e.g. `tickwatch <alerts@example.com>`. */
  from: string;
  targets: readonly EmailTarget[];
  /** Connection, greeting and socket timeout (default SMTP_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
}

/** The implicit-TLS submission port. */
const SMTPS_PORT = 465;

/**
 * The mail destination from plain options (config and environment): checks them and answers a
 * destination over a nodemailer SMTP transport (it connects per send). `close()` ends it.
 */
export function createEmailDestination(o: EmailOptions): EmailDestination {
  const problems: string[] = [];
  if (!o.host) problems.push('host is empty');
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65_535) problems.push(`port ${o.port} is not a TCP port`);
  if (!o.from.trim()) problems.push('from is empty');
  if ((o.user === undefined) !== (o.pass === undefined)) problems.push('user and pass go together');
  if (o.targets.length === 0) problems.push('no targets');
  const names = new Set<string>();
  for (const t of o.targets) {
    if (names.has(t.name)) problems.push(`target "${t.name}" is named twice`);
    names.add(t.name);
    if (t.to.length === 0) problems.push(`target "${t.name}" has no recipients`);
  }
  if (problems.length) throw new Error(`email destination: ${problems.join('; ')}`);
  return EmailDestination.smtp(
    {
      host: o.host,
      port: o.port,
      secure: o.secure ?? o.port === SMTPS_PORT,
      auth: o.user !== undefined && o.pass !== undefined ? { user: o.user, pass: o.pass } : undefined,
      timeoutMs: o.timeoutMs,
    },
    { from: o.from, targets: o.targets },
  );
}

/** Default SMTP connection and answer time before the attempt fails (and is retried). */
export const SMTP_TIMEOUT_MS = 15_000;

/** Connection-level failures: the next attempt may well work. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'EMAXLIMIT', 'ECONNREFUSED', 'ECONNRESET']);

interface SmtpError {
  code?: string;
  responseCode?: number;
  message?: string;
}

/** SMTP answers 4xx for "try later" and 5xx for "never"; connection errors are passing. */
export function classifySmtpError(err: unknown, target: string): Error {
  const e = (err ?? {}) as SmtpError;
  const what = `mail to "${target}" failed: ${e.message ?? String(err)}`;
  if (typeof e.responseCode === 'number') {
    return e.responseCode >= 500 ? new PermanentError(what, `smtp ${e.responseCode}`, { cause: err }) : new TemporaryError(what, { cause: err });
  }
  if (e.code && !TRANSIENT_CODES.has(e.code)) return new PermanentError(what, `smtp ${e.code}`, { cause: err });
  return new TemporaryError(what, { cause: err });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Mail over SMTP (nodemailer): the alert text, the chart inline (cid), one message per delivery. */
export class EmailDestination implements Destination {
  readonly platform = 'email';
  private readonly targets: Map<string, EmailTarget>;

  constructor(
    private readonly transport: Transporter,
    private readonly opts: EmailDestinationOptions,
  ) {
    this.targets = new Map(opts.targets.map((t) => [t.name, t]));
  }

  static smtp(smtp: SmtpSettings, opts: EmailDestinationOptions): EmailDestination {
    const timeout = smtp.timeoutMs ?? SMTP_TIMEOUT_MS;
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.auth,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    return new EmailDestination(transport, opts);
  }

  async send(msg: OutboundMessage): Promise<DeliveryReceipt> {
    const t = this.targets.get(msg.to.chatId);
    if (!t) throw new PermanentError(`no mail route named "${msg.to.chatId}" is configured`, 'unknown mail route');
    const first = msg.alerts[0];
    const subject =
      msg.kind === 'burst' || !first
        ? (msg.text.split('\n')[0] ?? 'tickwatch')
        : `[ALERT] ${first.symbol} ${formatChange(first.change)} on ${first.venue}`;
    const png = msg.chart?.png;
    const cid = `chart.${msg.deliveryId}@tickwatch`;
    const html = `<pre style="font-family: monospace">${escapeHtml(msg.text)}</pre>${png ? `<p><img src="cid:${cid}" alt="chart"></p>` : ''}`;
    try {
      const info = (await this.transport.sendMail({
        from: this.opts.from,
        to: t.to,
        subject,
        text: msg.text,
        html,
        // Deterministic Message-ID: a mail system can drop the repeat of a retried delivery.
        messageId: `<${msg.deliveryId}@tickwatch>`,
        headers: { 'X-Tickwatch-Delivery': msg.deliveryId },
        attachments: png ? [{ filename: msg.chart?.fileName ?? 'chart.png', content: Buffer.from(png), contentType: 'image/png', cid }] : [],
      })) as { messageId?: string };
      return { at: Date.now(), messageId: info.messageId };
    } catch (err) {
      throw classifySmtpError(err, t.name);
    }
  }

  close(): void {
    this.transport.close();
  }
}
