import { describe, expect, it } from 'vitest';
import { FailureLimiter, assertDashboardBind, isLoopback, safeEqual, safeNext } from './auth.js';

describe('isLoopback', () => {
  it('knows the addresses only this machine reaches', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '127.0.0.1.example.com', 'example.com', '']) expect(isLoopback(h), h).toBe(false);
  });
});

describe('assertDashboardBind', () => {
  it('refuses an exposed address without a token and a short token anywhere', () => {
    expect(() => assertDashboardBind({ host: '0.0.0.0' })).toThrow(/set TICKWATCH_DASHBOARD_TOKEN/);
    expect(() => assertDashboardBind({ host: '127.0.0.1', token: 'abc' })).toThrow(/too short/);
    expect(() => assertDashboardBind({ host: '127.0.0.1' })).not.toThrow();
    expect(() => assertDashboardBind({ host: '0.0.0.0', token: 'x'.repeat(16) })).not.toThrow();
  });
});

describe('safeEqual', () => {
  it('compares whole strings, whatever their lengths', () => {
    expect(safeEqual('a-long-token-value', 'a-long-token-value')).toBe(true);
    expect(safeEqual('a-long-token-value', 'a-long-token-valuE')).toBe(false);
    expect(safeEqual('a-long-token-value', 'a-long')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });
});

describe('FailureLimiter', () => {
  it('locks an address out after max failures until its window ends', () => {
    const l = new FailureLimiter(3, 1000, 100);
    for (let i = 0; i < 3; i++) {
      expect(l.blockedFor('a', 10)).toBe(0);
      l.fail('a', 10 + i);
    }
    expect(l.blockedFor('a', 500)).toBe(510);
    expect(l.blockedFor('b', 500)).toBe(0);
    expect(l.blockedFor('a', 1010)).toBe(0);
    l.fail('a', 1020);
    expect(l.blockedFor('a', 1021)).toBe(0);
  });

  it('remembers a bounded number of addresses, forgetting the oldest', () => {
    const l = new FailureLimiter(1, 60_000, 3);
    for (const a of ['a', 'b', 'c', 'd']) l.fail(a, 0);
    expect(l.size).toBe(3);
    expect(l.blockedFor('a', 1)).toBe(0);
    expect(l.blockedFor('d', 1)).toBeGreaterThan(0);
  });
});

describe('safeNext', () => {
  it('keeps same-site paths and sends anything else to the overview', () => {
    expect(safeNext('/pair?symbol=BTC-USDT&range=1h')).toBe('/pair?symbol=BTC-USDT&range=1h');
    for (const bad of [undefined, '', '//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/login?next=/x', '/a b']) expect(safeNext(bad), String(bad)).toBe('/');
  });
});
