import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { replayFile, scoreFile } from '../../src/cli/replay.js';
import type { AlertEvent } from '../../src/engine/index.js';
import { injectMove, randomWalk } from '../../src/engine/testing/synthetic.js';

const START = Date.UTC(2025, 7, 11, 12, 0, 0);
let dir: string;

function collect(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

function pumpTicks() {
  return injectMove(randomWalk({ seconds: 2.2 * 3600, seed: 7, start: START }), START + 2 * 3_600_000, 6.4, 120_000);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tickwatch-cli-'));
  const ticks = pumpTicks();
  writeFileSync(join(dir, 'trades.csv'), ['timestamp,price,amount,side', ...ticks.map((t) => `${t.ts},${t.price},${t.qty},${t.side}`)].join('\n'));
  writeFileSync(join(dir, 'trades_iso.csv'), ['time,price,qty,symbol', ...ticks.map((t) => `${new Date(t.ts).toISOString()},${t.price},${t.qty},ETH/USDT`)].join('\n'));
  writeFileSync(join(dir, 'ticks.ndjson'), ticks.map((t) => JSON.stringify({ ts: t.ts, price: t.price, qty: t.qty, side: t.side, venue: 'binance', symbol: 'BTC/USDT' })).join('\n'));
  // Binance kline layout, no header: 1-minute candles, a crash in the last hour.
  const rows: string[] = [];
  let p = 100;
  for (let i = 0; i < 2000; i++) {
    const o = p;
    p = p * (1 + Math.sin(i * 12.9898) * 0.001) * (i === 1900 ? 0.85 : 1);
    const hi = Math.max(o, p) * 1.0005;
    const lo = Math.min(o, p) * 0.9995;
    const t = START + i * 60_000;
    rows.push(`${t},${o},${hi},${lo},${p},12.5,${t + 59_999},1250,40,6.1,610,0`);
  }
  writeFileSync(join(dir, 'klines.csv'), rows.join('\n'));
  // NAB layout.
  const series = ['timestamp,value'];
  for (let i = 0; i < 3000; i++) {
    const t = new Date(START + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    series.push(`${t},${(50 + 10 * Math.sin(i / 20) + (i === 2500 ? 80 : 0)).toFixed(3)}`);
  }
  writeFileSync(join(dir, 'series.csv'), series.join('\n'));
  // A 100-bar cycle with a little noise that stalls at its midline for 40 bars: a change of
  // pattern, never outside the usual range and with no large move.
  const skipped = ['timestamp,value'];
  for (let i = 0; i < 3000; i++) {
    const t = new Date(START + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    const cycle = i >= 2430 && i < 2470 ? 0 : 10 * Math.sin((2 * Math.PI * (i - 25)) / 100);
    skipped.push(`${t},${(50 + cycle + 0.3 * Math.sin(i * 12.9898)).toFixed(3)}`);
  }
  writeFileSync(join(dir, 'series_skip.csv'), skipped.join('\n'));
  writeFileSync(join(dir, 'bad.csv'), 'timestamp,price,amount\n1754913600000,100,1\n1754913601000,abc,1\n');
  writeFileSync(join(dir, 'unknown.txt'), 'hello world\n');
});

afterEach(() => vi.restoreAllMocks());

describe('tickwatch replay', () => {
  it('a trades CSV with a pump prints the alert in its text form', async () => {
    const c = collect();
    const r = await replayFile(join(dir, 'trades.csv'), { sensitivity: 'normal', json: false, symbol: 'BTC/USDT' }, c.out);
    expect(r.alerts).toBeGreaterThan(0);
    expect(c.text()).toMatch(/^\[ALERT\] BTC\/USDT anomaly detected!\nTimestamp: 2025-08-11 14:0/);
    expect(c.text()).toContain('Price Change: +');
  });

  it('--json prints one AlertEvent per line, and ISO timestamps and a symbol column work', async () => {
    const c = collect();
    await replayFile(join(dir, 'trades_iso.csv'), { sensitivity: 'normal', json: true }, c.out);
    const lines = c.text().trim().split('\n');
    const alerts = lines.map((l) => JSON.parse(l) as AlertEvent);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]).toMatchObject({ symbol: 'ETH/USDT', venue: 'replay', direction: 'up' });
    expect(alerts[0].id).toMatch(/^replay-ETHUSDT-/);
  });

  it('NDJSON ticks carry their own venue and symbol', async () => {
    const c = collect();
    await replayFile(join(dir, 'ticks.ndjson'), { sensitivity: 'normal', json: true }, c.out);
    const a = JSON.parse(c.text().trim().split('\n')[0]) as AlertEvent;
    expect(a).toMatchObject({ venue: 'binance', symbol: 'BTC/USDT' });
  });

  it('GIVEN trades of three venues, one of which breaks away THEN the divergence alert names that venue, and a move on all three is called market-wide', async () => {
    // One market on three venues (each its own trades, a few basis points apart); at 1h30 venue
    // "c" alone trades 3% above the others for two minutes; at 2h every venue pumps 6.4%.
    const market = pumpTicks();
    const lines = ['timestamp,price,amount,side,venue'];
    const breakAt = START + 1.5 * 3_600_000;
    market.forEach((t, i) => {
      const venue = ['a', 'b', 'c'][i % 3];
      const off = t.ts >= breakAt && t.ts < breakAt + 120_000 && venue === 'c' ? 1.03 : 1;
      lines.push(`${t.ts},${(t.price * off * (1 + 0.0002 * (i % 3))).toFixed(2)},${t.qty},${t.side},${venue}`);
    });
    writeFileSync(join(dir, 'venues.csv'), lines.join('\n'));
    const c = collect();
    await replayFile(join(dir, 'venues.csv'), { sensitivity: 'normal', json: true, symbol: 'BTC/USDT' }, c.out);
    const alerts = c.text().trim().split('\n').map((l) => JSON.parse(l) as AlertEvent);
    const div = alerts.filter((a) => a.rules.includes('divergence'));
    expect(div.length).toBeGreaterThan(0);
    expect(div.every((a) => a.venue === 'c' && a.direction === 'up' && a.ts >= breakAt && a.ts < breakAt + 120_000)).toBe(true);
    expect(div[0].explanation).toMatch(/above the composite of a, b, c/);
    const pump = alerts.filter((a) => !a.rules.includes('divergence') && a.ts >= START + 2 * 3_600_000);
    expect(pump.length).toBeGreaterThan(0);
    expect(pump.every((a) => a.consensus?.kind === 'market-wide')).toBe(true);
  });

  it('Binance klines without a header run at the file\'s own 1-minute resolution and find the crash', async () => {
    const c = collect();
    const r = await replayFile(join(dir, 'klines.csv'), { sensitivity: 'normal', json: true, symbol: 'SOL/USDT' }, c.out);
    expect(r.rows).toBe(2000);
    const alerts = c.text().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AlertEvent);
    const crash = alerts.find((a) => a.barTs === START + 1900 * 60_000);
    expect(crash?.direction).toBe('down');
  });
});

describe('tickwatch replay on value series', () => {
  it('alerts on a change of pattern with no large move, once, and nowhere else', async () => {
    const c = collect();
    await replayFile(join(dir, 'series_skip.csv'), { sensitivity: 'normal', json: true }, c.out);
    const alerts = c.text().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AlertEvent);
    const bar = (a: AlertEvent) => (a.barTs - START) / 300_000;
    expect(alerts.filter((a) => bar(a) >= 2430 && bar(a) < 2470)).toHaveLength(1);
    expect(alerts.filter((a) => bar(a) < 2430 || bar(a) >= 2470)).toEqual([]);
  });
});

describe('tickwatch score', () => {
  it('writes timestamp,value,score for every row, the timestamp as the file wrote it', async () => {
    const c = collect();
    await scoreFile(join(dir, 'series.csv'), { sensitivity: 'normal' }, c.out);
    const lines = c.text().trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,score');
    expect(lines.length).toBe(3001);
    expect(lines[1]).toMatch(/^2025-08-11 12:00:00,50(\.0+)?,0\.000000$/);
    const spike = lines[2501].split(',');
    expect(Number(spike[2])).toBeGreaterThan(0.99);
  });

  it('has no look-ahead: a file cut short scores its rows exactly as the whole file did', async () => {
    // The same symbol for both: a stream's models are seeded by its name.
    const full = collect();
    await scoreFile(join(dir, 'series.csv'), { sensitivity: 'normal', symbol: 'S' }, full.out);
    const text = readFileSync(join(dir, 'series.csv'), 'utf8').split('\n');
    writeFileSync(join(dir, 'series_cut.csv'), text.slice(0, 2001).join('\n'));
    const cut = collect();
    await scoreFile(join(dir, 'series_cut.csv'), { sensitivity: 'normal', symbol: 'S' }, cut.out);
    const a = full.text().trim().split('\n').slice(0, 2001);
    expect(cut.text().trim().split('\n')).toEqual(a);
  });
});

describe('tickwatch: bad input is one clear line and exit code 2', () => {
  function stderr() {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    return lines;
  }

  it('names the file, the line and what is wrong', async () => {
    const err = stderr();
    expect(await main(['replay', join(dir, 'bad.csv')])).toBe(2);
    expect(err.join('')).toBe(`tickwatch: ${join(dir, 'bad.csv')}:3: price is not a number: "abc"\n`);
  });

  it('a missing file, an unknown format, a bad option: exit 2, no stack trace', async () => {
    const err = stderr();
    expect(await main(['score', join(dir, 'nope.csv')])).toBe(2);
    expect(await main(['score', join(dir, 'unknown.txt')])).toBe(2);
    expect(await main(['replay', join(dir, 'trades.csv'), '--sensitivity', 'extreme'])).toBe(2);
    expect(await main(['replay', join(dir, 'trades.csv'), '--bogus'])).toBe(2);
    const text = err.join('');
    expect(text).toContain('no such file');
    expect(text).toContain('unknown.txt:1: cannot tell the format');
    expect(text).toContain('--sensitivity must be one of low, normal, high');
    expect(text).not.toMatch(/\n\s+at /);
  });
});
