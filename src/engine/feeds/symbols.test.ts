import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { editDistance, MarketCatalog, SymbolIndex, type MarketInfo } from './symbols.js';

const m = (base: string, quote: string, id = base + quote): MarketInfo => ({ symbol: `${base}/${quote}`, base, quote, id });
const MARKETS = [m('BTC', 'USDT'), m('BTC', 'USD', 'XXBTZUSD'), m('BTC', 'EUR'), m('ETH', 'USDT'), m('ETH', 'BTC'), m('SOL', 'USDT'), m('DOGE', 'USDT'), m('BTC', 'USDT:USDT', 'BTCUSDT_PERP')];

describe('SymbolIndex', () => {
  const ix = new SymbolIndex(MARKETS);

  it.each([
    ['btc', 'BTC/USDT'],
    ['btcusdt', 'BTC/USDT'],
    ['BTC-USDT', 'BTC/USDT'],
    ['btc/usdt', 'BTC/USDT'],
    [' Btc_Usdt ', 'BTC/USDT'],
    ['btc usd', 'BTC/USD'],
    ['XBT/USD', 'BTC/USD'],
    ['xbtusd', 'BTC/USD'],
    ['XXBTZUSD', 'BTC/USD'],
    ['eth', 'ETH/USDT'],
    ['ethbtc', 'ETH/BTC'],
    ['xdg', 'DOGE/USDT'],
  ])('resolves %j to %s', (input, want) => {
    expect(ix.resolve(input)).toBe(want);
  });

  it('GIVEN an unknown symbol THEN a UserError unknown_symbol lists the closest known ones', () => {
    let err: unknown;
    try {
      ix.resolve('btcusdd');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const u = err as UserError;
    expect(u.code).toBe('unknown_symbol');
    expect((u.details.suggestions as string[])[0]).toBe('BTC/USDT');
    expect(u.message).toContain('Did you mean BTC/USDT');
  });

  it('suggests by base too, and nothing for input far from every market', () => {
    expect(ix.lookup('sool')).toMatchObject({ ok: false, suggestions: expect.arrayContaining(['SOL/USDT']) as unknown });
    expect(ix.lookup('zzzzzzzzzzzz')).toEqual({ ok: false, reason: 'unknown_symbol', suggestions: [] });
  });

  it('leaves derivatives out', () => {
    expect(ix.has('BTC/USDT:USDT')).toBe(false);
  });

  it('edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('btc', 'btc')).toBe(0);
  });
});

describe('MarketCatalog', () => {
  it('loads each venue on first use, caches, and reloads in the background once stale', async () => {
    let now = 0;
    let loads = 0;
    let markets = [m('BTC', 'USDT')];
    const cat = new MarketCatalog(new Map([['binance', async () => (loads++, markets)]]), { now: () => now }, undefined, 1_000);
    expect(await cat.resolve('btc')).toBe('BTC/USDT');
    expect(await cat.resolve('btcusdt', 'binance')).toBe('BTC/USDT');
    expect(loads).toBe(1);
    markets = [m('BTC', 'USDT'), m('PEPE', 'USDT')];
    now = 2_000;
    // Stale: the old list answers while the new one loads.
    expect(await cat.lookup('pepe')).toMatchObject({ ok: false });
    await new Promise((r) => setTimeout(r, 0));
    expect(loads).toBe(2);
    expect(await cat.resolve('pepe')).toBe('PEPE/USDT');
  });

  it('answers unknown_venue with the closest venue ids, and skips a venue whose markets fail to load', async () => {
    const cat = new MarketCatalog(
      new Map([
        ['binance', async () => [m('BTC', 'USDT')]],
        ['kraken', async () => Promise.reject(new Error('down'))],
      ]),
      { now: () => 0 },
    );
    expect(await cat.lookup('btc', 'binanse')).toEqual({ ok: false, reason: 'unknown_venue', suggestions: ['binance', 'kraken'] });
    await expect(cat.resolve('btc', 'nope')).rejects.toMatchObject({ code: 'unknown_venue' });
    expect(await cat.resolve('btc')).toBe('BTC/USDT');
    await expect(cat.resolve('eth')).rejects.toMatchObject({ code: 'unknown_symbol' });
  });
});
