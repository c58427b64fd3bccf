import type { FeedHealth, PriceLookup, PriceQuote, VenuePrice } from '../../commands/framework.js';
import { COMPOSITE_DEFAULTS, median } from '../engine/composite/index.js';
import type { AlertEvent, StreamKey } from '../engine/core/types.js';
import { streamId } from '../engine/core/types.js';
import type { StreamStatus } from '../engine/ports/feed.js';
import { checkPrefix, LuaScripts, type RedisClient } from '../store/redis-client.js';

/**
 * The market board: what engine processes publish to Redis so that bot processes (`--role bot`)
 * can answer `price`, `status` and symbol search without an engine of their own. Each engine
 * writes a line per stream it owns every `boardMs`: newest price and its time, the feed status,
 * the latest score, the owner; and the newest alert it published.
 *
 * Keys (hash tag `{board}`): `P:{board}:streams` (hash, stream id → JSON BoardLine) and
 * `P:{board}:last-alert` (string, AlertEvent JSON, replaced only by a newer alert).
 */

/** Default publishing period of the board. */
export const BOARD_INTERVAL_MS = 2_000;
/** A line not refreshed for this many periods belongs to no running engine (shown as `reconnecting`). */
export const BOARD_STALE_PERIODS = 3;
/** Lines older than this are left out altogether (a stream nobody streams any more). */
export const BOARD_FORGET_MS = 10 * 60_000;

export interface BoardLine {
  venue: string;
  symbol: string;
  /** Newest bar close and the end of its bar (venue time); absent before the first bar. */
  price?: number | undefined;
  ts?: number | undefined;
  status: StreamStatus;
  since: number;
  lastTradeTs?: number | undefined;
  /** The stream's latest calibrated score; absent while it warms up (for `list` in the bot role). */
  score?: number | undefined;
  owner: string;
  /** When the owner wrote the line (its clock). */
  at: number;
}

const LAST_ALERT_LUA = {
  keys: 1,
  lua: `local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, old = pcall(cjson.decode, cur)
  if ok and type(old) == 'table' and tonumber(old.ts) and tonumber(old.ts) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1`,
};

export class MarketBoard {
  private readonly base: string;
  private readonly scripts: LuaScripts<'lastAlert'>;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.base = `${checkPrefix(prefix)}:{board}`;
    this.scripts = new LuaScripts(redis, 'twboard', { lastAlert: LAST_ALERT_LUA });
  }

  private get streamsKey(): string {
    return `${this.base}:streams`;
  }

  async write(lines: readonly BoardLine[]): Promise<void> {
    if (lines.length === 0) return;
    const args: string[] = [];
    for (const l of lines) args.push(streamId(l), JSON.stringify(l));
    await this.redis.hset(this.streamsKey, ...args);
  }

  async remove(streams: readonly StreamKey[]): Promise<void> {
    if (streams.length === 0) return;
    await this.redis.hdel(this.streamsKey, ...streams.map(streamId));
  }

  async lines(): Promise<BoardLine[]> {
    const raw = await this.redis.hgetall(this.streamsKey);
    const out: BoardLine[] = [];
    for (const v of Object.values(raw)) {
      try {
        out.push(JSON.parse(v) as BoardLine);
      } catch {
        // A line of another format: skipped.
      }
    }
    return out;
  }

  async alertPublished(a: AlertEvent): Promise<void> {
    await this.scripts.run('lastAlert', [`${this.base}:last-alert`], [JSON.stringify(a), a.ts]);
  }

  async lastAlert(): Promise<AlertEvent | undefined> {
    const v = await this.redis.get(`${this.base}:last-alert`);
    return v ? (JSON.parse(v) as AlertEvent) : undefined;
  }
}

/**
 * The board as the bot role reads it: cached for a fraction of the publishing period, lines of
 * dead engines shown as `reconnecting`, forgotten lines left out.
 */
export class BoardReader implements PriceLookup {
  private cache: { at: number; lines: BoardLine[] } | null = null;

  constructor(
    private readonly board: MarketBoard,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async lines(): Promise<BoardLine[]> {
    const now = this.now();
    if (this.cache && now - this.cache.at < this.intervalMs / 2) return this.cache.lines;
    const staleAfter = BOARD_STALE_PERIODS * this.intervalMs;
    const lines = (await this.board.lines())
      .filter((l) => now - l.at <= BOARD_FORGET_MS)
      .map((l) => (now - l.at > staleAfter ? { ...l, status: 'reconnecting' as const, since: l.at } : l))
      .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.venue.localeCompare(b.venue));
    this.cache = { at: now, lines };
    return lines;
  }

  async feeds(): Promise<FeedHealth[]> {
    return (await this.lines()).map((l) => ({ venue: l.venue, symbol: l.symbol, status: l.status, since: l.since, lastTradeTs: l.lastTradeTs }));
  }

  async symbols(): Promise<string[]> {
    return [...new Set((await this.lines()).map((l) => l.symbol))];
  }

  /** Per-venue prices and the composite: the median of the live venues whose price is fresh, as the engine's book computes it. */
  async price(symbol: string, venue?: string): Promise<PriceQuote | null> {
    const all = (await this.lines()).filter((l) => l.symbol === symbol && l.price !== undefined && l.ts !== undefined);
    const venues: VenuePrice[] = all
      .filter((l) => venue === undefined || l.venue === venue)
      .map((l) => ({ venue: l.venue, price: l.price as number, ts: l.ts as number, status: l.status }));
    if (venues.length === 0) return null;
    const latest = Math.max(...all.map((l) => l.ts as number));
    const fresh = all.filter((l) => l.status === 'live' && Math.abs(latest - (l.ts as number)) <= COMPOSITE_DEFAULTS.freshMs);
    return { symbol, venues, composite: fresh.length ? median(fresh.map((l) => l.price as number)) : undefined };
  }
}
