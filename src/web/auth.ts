import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { UserError } from '../engine/core/errors.js';
import type { DashboardAuth } from './deps.js';
import { MIN_TOKEN_LENGTH, type DashboardOptions } from './options.js';

export const SESSION_COOKIE = 'tickwatch_session';
/** Paths served without a token: the login form and the static files it needs (code, no data). */
const OPEN_PATHS = /^\/(login$|assets\/)/;

/** The dashboard cannot start as configured: the message says what to change (the CLI prints it as is). */
export class DashboardConfigError extends UserError {
  constructor(message: string) {
    super('bad_input', message);
  }
}

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Refuses a configuration that would expose the dashboard: any address but loopback needs a
 * token, and a token must be long enough not to be guessed.
 */
export function assertDashboardBind(auth: DashboardAuth): void {
  const token = auth.token;
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new DashboardConfigError(`TICKWATCH_DASHBOARD_TOKEN is too short: use at least ${MIN_TOKEN_LENGTH} characters (for example the output of \`openssl rand -hex 32\`)`);
  }
  if (!token && !isLoopback(auth.host)) {
    throw new DashboardConfigError(
      `the dashboard would listen on ${auth.host}, which other machines can reach, without a token: set TICKWATCH_DASHBOARD_TOKEN (at least ${MIN_TOKEN_LENGTH} characters), or bind http.host to 127.0.0.1`,
    );
  }
}

/** Equal strings, in time that does not depend on where they differ (nor on their lengths). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * Failed attempts per client address in a fixed window: beyond the limit, every attempt from that
 * address is refused until the window ends (a correct one too, so guessing learns nothing).
 */
export class FailureLimiter {
  private readonly byClient = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly tracked: number,
  ) {}

  /** Milliseconds until this client may try again; 0 when it may now. */
  blockedFor(client: string, now: number): number {
    const e = this.byClient.get(client);
    if (!e) return 0;
    if (now - e.windowStart >= this.windowMs) {
      this.byClient.delete(client);
      return 0;
    }
    return e.count >= this.max ? e.windowStart + this.windowMs - now : 0;
  }

  fail(client: string, now: number): void {
    let e = this.byClient.get(client);
    if (!e || now - e.windowStart >= this.windowMs) {
      this.byClient.delete(client);
      e = { count: 0, windowStart: now };
      this.byClient.set(client, e);
      if (this.byClient.size > this.tracked) this.byClient.delete(this.byClient.keys().next().value as string);
    }
    e.count++;
  }

  get size(): number {
    return this.byClient.size;
  }
}

/** The peer address of the request (never X-Forwarded-For: a client could write any). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A same-site relative path to return to after login; anything else goes to the overview. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

/**
 * Token access to the dashboard: a bearer header for API clients, or a login form that sets an
 * HttpOnly, SameSite=Strict cookie for browsers. The cookie holds a value derived from the token
 * (never the token itself), so changing the token logs every browser out.
 */
export class TokenAuth {
  readonly limiter: FailureLimiter;
  private readonly session: string | undefined;

  constructor(
    private readonly auth: DashboardAuth,
    private readonly opt: DashboardOptions,
    private readonly now: () => number,
  ) {
    this.limiter = new FailureLimiter(opt.maxAuthFailures, opt.authFailureWindowMs, opt.authTrackedClients);
    this.session = auth.token ? createHmac('sha256', auth.token).update('tickwatch dashboard session v1').digest('base64url') : undefined;
  }

  get enabled(): boolean {
    return this.auth.token !== undefined && this.auth.token !== '';
  }

  /** Guards every page and API route but the login form and static files. */
  readonly middleware: MiddlewareHandler = async (c, next) => {
    if (!this.enabled || OPEN_PATHS.test(c.req.path)) return next();
    const header = c.req.header('authorization');
    const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const cookie = getCookie(c, SESSION_COOKIE);
    if (bearer === undefined && cookie === undefined) return this.deny(c);
    const who = clientAddress(c);
    const wait = this.limiter.blockedFor(who, this.now());
    if (wait > 0) return this.tooMany(c, wait);
    const ok = bearer !== undefined ? safeEqual(bearer, this.auth.token as string) : safeEqual(cookie as string, this.session as string);
    if (ok) return next();
    this.limiter.fail(who, this.now());
    // A cookie from an older token counts once, then is gone.
    if (bearer === undefined) deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return this.deny(c);
  };

  /** POST /login: the form's token, checked; a cookie and a redirect when right. */
  async login(c: Context): Promise<Response> {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    if (!this.enabled) return c.redirect(next, 303);
    const who = clientAddress(c);
    const wait = this.limiter.blockedFor(who, this.now());
    if (wait > 0) return this.tooMany(c, wait);
    const token = typeof form.token === 'string' ? form.token : '';
    if (!safeEqual(token, this.auth.token as string)) {
      this.limiter.fail(who, this.now());
      return c.redirect(`/login?error=wrong&next=${encodeURIComponent(next)}`, 303);
    }
    setCookie(c, SESSION_COOKIE, this.session as string, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: this.auth.secureCookie === true,
      maxAge: this.opt.sessionMaxAgeS,
    });
    return c.redirect(next, 303);
  }

  logout(c: Context): Response {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect(this.enabled ? '/login' : '/', 303);
  }

  private deny(c: Context): Response {
    if (c.req.path.startsWith('/api/')) {
      c.header('WWW-Authenticate', 'Bearer realm="tickwatch"');
      return c.json({ error: 'unauthorized', message: 'this dashboard needs its token: send "Authorization: Bearer <token>" or log in at /login' }, 401);
    }
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }

  private tooMany(c: Context, waitMs: number): Response {
    const s = Math.ceil(waitMs / 1000);
    c.header('Retry-After', String(s));
    if (c.req.path.startsWith('/api/') || c.req.method !== 'POST') {
      return c.json({ error: 'rate_limited', message: `too many wrong tokens from this address: try again in ${s} s` }, 429);
    }
    return c.redirect(`/login?error=locked`, 303);
  }
}
