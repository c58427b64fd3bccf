import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { ccxtConfig } from './ccxt-exchange.js';

describe('ccxtConfig: endpoint overrides as ccxt wants them', () => {
  it('fills a native venue\'s URL templates and adds an agent for plain http:// and ws://', () => {
    const c = ccxtConfig('binance', { restUrl: 'http://127.0.0.1:9/', wsUrl: 'ws://127.0.0.1:9' });
    expect(c.urls).toEqual({ api: { public: 'http://127.0.0.1:9/api/v3', ws: { spot: 'ws://127.0.0.1:9/ws' } } });
    expect(c.options).toMatchObject({ fetchMarkets: { types: ['spot'] } });
    expect(c.httpAgent).toBeInstanceOf(http.Agent);
    expect(c.has).toEqual({ fetchCurrencies: false });
  });

  it('leaves the public endpoints alone without overrides, and needs no agent for https', () => {
    const c = ccxtConfig('kraken', {});
    expect(c.urls).toBeUndefined();
    expect(c.httpAgent).toBeUndefined();
    expect(ccxtConfig('okx', { restUrl: 'https://proxy.example/okx' }).httpAgent).toBeUndefined();
  });

  it('deep-merges raw settings last, for long-tail exchanges', () => {
    const c = ccxtConfig('gate', { config: { urls: { api: { public: 'http://127.0.0.1:9' } }, timeout: 5_000 } });
    expect(c).toMatchObject({ urls: { api: { public: 'http://127.0.0.1:9' } }, timeout: 5_000, enableRateLimit: true });
    expect(c.httpAgent).toBeInstanceOf(http.Agent);
  });
});
