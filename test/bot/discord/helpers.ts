import { Client, Events } from 'discord.js';
import { discordClientOptions } from '../../../src/bot/discord/client.js';
import type { AlertEvent, Bar } from '../../../src/engine/core/types.js';
import type { BarSource, VenueSeries } from '../../../src/engine/ports/chart.js';
import { SymbolIndex } from '../../../src/engine/feeds/symbols.js';
import type { SymbolResolver } from '../../../src/engine/services/subscriptions.js';
import type { FakeDiscord, FakeMessage } from '../../fakes/discord/index.js';
import { decodePng, type Image } from '../../render/helpers.js';

/** A real discord.js client pointed at the fake, logged in and ready (guilds received). */
export async function loginClient(fake: FakeDiscord, token = fake.token): Promise<Client> {
  const client = new Client(discordClientOptions({ apiBase: fake.apiBase }));
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(token);
  await ready;
  return client;
}

/** Resolves with the first emission of an event (its arguments). */
export function next<T extends unknown[]>(client: Client, event: string): Promise<T> {
  return new Promise((resolve) => client.once(event, (...args: unknown[]) => resolve(args as T)));
}

export const MARKETS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'BTC/USDC', 'ETH/BTC', 'DOGE/USDT'];

/** The symbols a test knows, resolved like the live feeds resolve them. */
export function testSymbols(): { resolve: SymbolResolver; known: () => string[] } {
  const index = new SymbolIndex(MARKETS.map((symbol) => ({ symbol, base: symbol.split('/')[0]!, quote: symbol.split('/')[1]!, id: symbol.replace('/', '') })));
  return { resolve: (input) => index.lookup(input), known: () => MARKETS };
}

const MINUTE = 60_000;

function bar(ts: number, price: number): Bar {
  return { ts, open: price, high: price * 1.001, low: price * 0.999, close: price, volume: 2, quoteVolume: 2 * price, buyVolume: 1, sellVolume: 1, trades: 12 };
}

/** One-minute bars of a gentle wave ending in the alert's move: enough for a real chart. */
export function waveBars(alert: Pick<AlertEvent, 'ts' | 'price' | 'change'>, beforeMs: number): Bar[] {
  const end = Math.floor(alert.ts / MINUTE) * MINUTE;
  const n = Math.max(2, Math.floor(beforeMs / MINUTE));
  const base = alert.price / (1 + alert.change.pct / 100);
  const out: Bar[] = [];
  for (let i = n; i >= 0; i--) {
    const t = end - i * MINUTE;
    const p = i <= 2 ? alert.price : base * (1 + 0.002 * Math.sin(i / 5));
    out.push(bar(t, p));
  }
  return out;
}

/** A BarSource drawing waves for any alert or symbol (the delivery tests have no engine). */
export function waveBarSource(): BarSource {
  return {
    seriesAround: (alert, beforeMs): VenueSeries[] => [{ venue: alert.venue, bars: waveBars(alert, beforeMs), barMs: MINUTE }],
    seriesFor: (_symbol, rangeMs): VenueSeries[] => [
      { venue: 'binance', bars: waveBars({ ts: Date.now(), price: 60_000, change: { pct: 1, windowMs: 0, fromPrice: 0, fromTs: 0 } }, rangeMs), barMs: MINUTE },
    ],
  };
}

/** Fetches a message's attachment from the fake, as a Discord client would, and decodes the PNG. */
export async function attachedPng(m: FakeMessage): Promise<{ bytes: Uint8Array; image: Image; contentType: string | null }> {
  const a = m.attachments[0];
  if (!a) throw new Error('the message has no attachment');
  const res = await fetch(a.url);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { bytes, image: decodePng(bytes), contentType: res.headers.get('content-type') };
}
