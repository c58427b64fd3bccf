import http from 'node:http';
import type { Exchange } from 'ccxt';
import { fillTemplate, isNativeVenue, trimUrl, VENUE_CAPABILITIES } from './capabilities.js';

export interface CcxtEndpoints {
  /** REST base URL override (native venues: applied through their capability's URL template). */
  restUrl?: string | undefined;
  /** WebSocket base URL override for ccxt pro (native venues, as above). */
  wsUrl?: string | undefined;
  /** Raw ccxt constructor settings, deep-merged last (`urls`, `options`, `timeout`, ...): the way to point a long-tail exchange elsewhere. */
  config?: Record<string, unknown> | undefined;
}

/** ccxt settings we apply to every exchange. */
const CCXT_BASE_CONFIG = {
  enableRateLimit: true,
  // Currency metadata is not needed for trades and candles, and some venues serve it only with keys.
  has: { fetchCurrencies: false },
  // ccxt pro: deliver only the trades that arrived since the previous call.
  newUpdates: true,
} as const;

/**
 * Loads ccxt (once). It takes about a second, several on a busy machine, much of it in one block
 * of the event loop: a process that holds leases or a lock loads it before taking them (see
 * startApp and the engine role), so that the block cannot hold up their first renewals.
 */
export async function loadCcxt(): Promise<typeof import('ccxt').default> {
  return (await import('ccxt')).default;
}

/**
 * Builds a ccxt REST client (`pro: false`) or ccxt pro client for an exchange id, with endpoint
 * overrides. ccxt is loaded on first use (loadCcxt).
 */
export async function createCcxtExchange(id: string, pro: boolean, e: CcxtEndpoints = {}): Promise<Exchange> {
  const mod = await loadCcxt();
  const ns = (pro ? mod.pro : mod) as unknown as Record<string, (new (config: Record<string, unknown>) => Exchange) | undefined>;
  const Ctor = ns[id];
  if (typeof Ctor !== 'function') throw new Error(`ccxt${pro ? ' pro' : ''} has no exchange "${id}"`);
  return new Ctor(ccxtConfig(id, e));
}

/** The constructor settings createCcxtExchange uses (exported for tests). */
export function ccxtConfig(id: string, e: CcxtEndpoints): Record<string, unknown> {
  const vars = { rest: trimUrl(e.restUrl ?? ''), ws: trimUrl(e.wsUrl ?? '') };
  let cfg: Record<string, unknown> = { ...CCXT_BASE_CONFIG };
  if (isNativeVenue(id)) {
    const caps = VENUE_CAPABILITIES[id];
    cfg = deepMerge(cfg, { options: caps.ccxtOptions });
    if (e.restUrl) cfg = deepMerge(cfg, { urls: fillTemplate(caps.ccxtUrls, vars) });
    if (e.wsUrl) cfg = deepMerge(cfg, { urls: fillTemplate(caps.ccxtWsUrls, vars) });
  }
  if (e.config) cfg = deepMerge(cfg, e.config);
  // ccxt refuses plain http:// and ws:// addresses unless it is given an agent for them.
  if (isPlain(e.restUrl) || isPlain(e.wsUrl) || JSON.stringify(e.config?.urls ?? '').match(/"(http|ws):\/\//)) {
    cfg.httpAgent = new http.Agent({ keepAlive: true });
  }
  return cfg;
}

function isPlain(url: string | undefined): boolean {
  return url !== undefined && /^(http|ws):\/\//.test(url);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isPlainObject(cur) && isPlainObject(v) ? deepMerge(cur, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
