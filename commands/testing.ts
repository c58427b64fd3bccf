/**
 * In-memory CommandServices for tests of the commands and of the chat adapters: a memory store,
 * the real SubscriptionService and AlertLog over it, and small fakes for prices, charts, previews
 * and status that a test can change.
 */
import { SubscriptionService, type SymbolResolver } from '../src/engine/services/subscriptions.js';
import { AlertLog } from '../src/engine/services/alerts.js';
import { MemoryStore } from '../src/store/memory.js';
import type { ChatAddress, SubscriptionLimits } from '../src/engine/ports/store.js';
import type { Clock } from '../src/engine/index.js';
import { executeCommand, plainText, type CommandContext, type CommandServices, type PreviewResult, type PriceQuote, type SystemStatus } from './framework.js';
import { COMMANDS } from './index.js';

export const KNOWN_SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'DOGE/USDT'];
export const KNOWN_VENUES = ['binance', 'kraken', 'okx'];

/** `btcusdt`, `BTC-USDT` and `btc/usdt` resolve; anything else gets the pairs sharing a letter run. */
export const testResolver: SymbolResolver = (input, venue) => {
  if (venue !== undefined && !KNOWN_VENUES.includes(venue)) return { ok: false, reason: 'unknown_venue', suggestions: KNOWN_VENUES };
  const c = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const hit = KNOWN_SYMBOLS.find((s) => s.replace('/', '') === c);
  if (hit) return { ok: true, symbol: hit };
  return { ok: false, reason: 'unknown_symbol', suggestions: KNOWN_SYMBOLS.filter((s) => s[0] === c[0]) };
};

/** A tiny valid PNG signature: what the fake chart source returns. */
export const FAKE_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

export interface TestWorld {
  clock: Clock & { t: number };
  store: MemoryStore;
  services: CommandServices;
  subscriptions: SubscriptionService;
  alerts: AlertLog;
  quotes: Map<string, PriceQuote>;
  previews: PreviewResult[];
  status: SystemStatus;
  charts: { symbol: string; range: string; venue?: string | undefined }[];
}

export function testWorld(opts: { now?: number; limits?: SubscriptionLimits } = {}): TestWorld {
  const clock = { t: opts.now ?? Date.UTC(2025, 7, 11, 12), now: () => clock.t };
  const store = new MemoryStore(clock);
  const subscriptions = new SubscriptionService({ store, clock, resolveSymbol: testResolver, limits: opts.limits ?? { perUser: 10, perChat: 20 } });
  const alerts = new AlertLog(store);
  const quotes = new Map<string, PriceQuote>();
  const previews: PreviewResult[] = [];
  const charts: TestWorld['charts'] = [];
  const status: SystemStatus = { feeds: [] };
  const services: CommandServices = {
    subscriptions,
    alerts,
    prices: { price: async (symbol) => quotes.get(symbol) ?? null },
    symbols: {
      resolve: testResolver,
      search: (prefix, limit) => KNOWN_SYMBOLS.filter((s) => s.replace('/', '').startsWith(prefix.toUpperCase().replace(/[^A-Z0-9]/g, ''))).slice(0, limit),
    },
    charts: {
      rangeChart: async (symbol, range, venue) => {
        charts.push({ symbol, range, venue });
        return quotes.has(symbol) ? FAKE_PNG : null;
      },
    },
    preview: { preview: async (symbol) => previews.find((p) => p.symbol === symbol) ?? null },
    status: { status: async () => status },
  };
  return { clock, store, services, subscriptions, alerts, quotes, previews, status, charts };
}

export const DM: ChatAddress = { platform: 'telegram', chatId: '100', chatType: 'private' };
export const GROUP: ChatAddress = { platform: 'telegram', chatId: '-200', chatType: 'group' };

/** A command context for `userId` in `chat`; `admin` answers the admin check. */
export function testContext(world: TestWorld, userId = '100', chat: ChatAddress = DM, admin = true): CommandContext {
  return {
    platform: chat.platform,
    actor: { userId, chat, isAdmin: async () => admin },
    clock: world.clock,
    services: world.services,
    catalog: COMMANDS,
  };
}

/** Runs `/name args` as a user would type it; answers the reply and its text without styles. */
export async function say(world: TestWorld, line: string, ctx: CommandContext = testContext(world)) {
  const m = /^\/(\w+)\s*([\s\S]*)$/.exec(line);
  if (!m) throw new Error(`not a command line: ${line}`);
  const def = COMMANDS.find((c) => c.name === m[1]);
  if (!def) throw new Error(`no command /${m[1]}`);
  const reply = await executeCommand(def, { text: m[2] ?? '' }, ctx);
  return { reply, text: plainText(reply.text) };
}
