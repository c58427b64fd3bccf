import { describe, expect, it } from 'vitest';
import type { AlertEvent, Bar } from '../core/types.js';
import { CompositeBook } from './composite.js';
import { consensusDecorator } from './consensus.js';

const bar = (ts: number, open: number, close: number): Bar => ({ ts, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1, quoteVolume: close, buyVolume: 1, sellVolume: 0, trades: 1 });

function alert(venue: string, pct: number): AlertEvent {
  return {
    id: 'x',
    venue,
    symbol: 'BTC/USDT',
    ts: 60_000,
    barTs: 59_000,
    price: 100 * (1 + pct / 100),
    direction: pct > 0 ? 'up' : 'down',
    change: { pct, windowMs: 50_000, fromPrice: 100, fromTs: 10_000 },
    score: 0.99,
    detectors: [],
    explanation: '',
    rules: [],
    quoteVolume: 0,
    late: false,
  };
}

describe('consensusDecorator', () => {
  const book = new CompositeBook({ freshMs: 10_000 });
  for (const v of ['binance', 'okx', 'kraken', 'bybit']) book.update(v, 'BTC/USDT', 60_000, 105);
  book.update('coinbase', 'BTC/USDT', 1_000, 100);
  const moves: Record<string, number> = { okx: 104.5, kraken: 103, bybit: 100.2 };
  const history = { bars: (v: string) => (v in moves ? [bar(10_000, 100, 100.1), bar(59_000, 100.1, moves[v])] : []) };
  const decorate = consensusDecorator(book, history);

  it('GIVEN most fresh venues moved the same way THEN market-wide, listing who confirms', () => {
    const a = alert('binance', 5);
    decorate(a);
    // coinbase is not fresh; okx and kraken moved at least half as much; bybit did not.
    expect(a.consensus).toEqual({ kind: 'market-wide', confirming: ['binance', 'kraken', 'okx'], fresh: ['binance', 'bybit', 'kraken', 'okx'] });
  });

  it('GIVEN the others did not move THEN venue-specific', () => {
    const a = alert('binance', 12);
    decorate(a);
    expect(a.consensus).toEqual({ kind: 'venue-specific', confirming: ['binance'], fresh: ['binance', 'bybit', 'kraken', 'okx'] });
  });

  it('GIVEN a move in the other direction THEN it does not confirm', () => {
    const a = alert('binance', -5);
    decorate(a);
    expect(a.consensus?.confirming).toEqual(['binance']);
  });

  it('leaves alone an alert that has its consensus already, and a symbol no other venue carries', () => {
    const a = alert('binance', 5);
    a.consensus = { kind: 'venue-specific', confirming: ['binance'], fresh: ['binance'] };
    decorate(a);
    expect(a.consensus.fresh).toEqual(['binance']);
    const lone = { ...alert('binance', 5), symbol: 'PEPE/USDT' };
    decorate(lone);
    expect(lone.consensus).toBeUndefined();
  });
});
