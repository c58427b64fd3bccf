import { describe, expect, it } from 'vitest';
import { symbolFromUrl, symbolSlug } from './symbols.js';

describe('symbols in URLs', () => {
  const known = ['BTC/USDT', 'ETH/USD', '1000PEPE/USDT', 'BTC/USDT:USDT'];

  it('writes the first / as -, and reads back every known symbol from its slug', () => {
    expect(symbolSlug('BTC/USDT')).toBe('BTC-USDT');
    for (const s of known) expect(symbolFromUrl(symbolSlug(s), known)).toBe(s);
  });

  it('accepts the decoded symbol itself and any letter case', () => {
    expect(symbolFromUrl('BTC/USDT', known)).toBe('BTC/USDT');
    expect(symbolFromUrl('btc-usdt', known)).toBe('BTC/USDT');
    expect(symbolFromUrl('eth/usd', known)).toBe('ETH/USD');
  });

  it('GIVEN a symbol no stream carries THEN the first - becomes the / (alert history may still hold it)', () => {
    expect(symbolFromUrl('SOL-USDT', known)).toBe('SOL/USDT');
    expect(symbolFromUrl('doge/eur', known)).toBe('DOGE/EUR');
    expect(symbolFromUrl('NOSLASH', known)).toBe('NOSLASH');
  });
});
