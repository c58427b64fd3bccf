import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calmTrades, spikeTrades, startFakeExchange, type FakeExchange } from '../fakes/exchanges/index.js';
import { runTickwatch } from './processes.js';

const SYMBOL = 'BTC/USDT';

function waitFor(get: () => string, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const m = get().match(re);
      if (m) return resolve(m);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${re}; output so far:\n${get().slice(-3000)}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

describe('tickwatch run (console mode) against a local fake venue', () => {
  let fake: FakeExchange;
  let child: ChildProcess;
  let out = '';
  let err = '';
  let dir: string;

  beforeAll(async () => {
    fake = await startFakeExchange('binance');
    const now = Date.now();
    // Two calm hours of history for the warm start, then calm trades live.
    fake.addHistory(SYMBOL, calmTrades({ start: now - 2 * 3_600_000, seconds: 2 * 3600 - 1, price: 60_000, rate: 3, seed: 5 }));
    dir = mkdtempSync(join(tmpdir(), 'tickwatch-run-'));
    writeFileSync(
      join(dir, 'config.yaml'),
      [
        'exchanges:',
        '  binance:',
        `    symbols: [${SYMBOL}]`,
        `    wsUrl: ${fake.wsUrl}`,
        `    restUrl: ${fake.restUrl}`,
        'alerts:',
        `  dir: ${join(dir, 'alerts')}`,
        'http:',
        '  port: 0',
        'log:',
        '  level: info',
      ].join('\n'),
    );
    child = runTickwatch(['run', '--config', join(dir, 'config.yaml')], { REDIS_URL: '', TELEGRAM_BOT_TOKEN: '', DISCORD_TOKEN: '' });
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
  });

  it('warms the stream from REST, prints a real-format spike as an [ALERT] block with a chart, and stops cleanly on SIGTERM', async () => {
    await waitFor(() => err, /"status":"live"/, 45_000);
    // A minute of calm live trading, then a +7% pump over 40 s with a burst of buys.
    const calm = calmTrades({ start: Date.now(), seconds: 20, price: 60_000, rate: 3, seed: 9 });
    for (const tr of calm) tr.ts = Date.now();
    fake.trade(SYMBOL, calm.slice(0, 10));
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 20; i++) {
      const step = spikeTrades({ start: Date.now(), from: 60_000 * (1 + (0.07 * i) / 20), pct: 0.35, trades: 12, spanMs: 200 });
      fake.trade(SYMBOL, step.map((s) => ({ ...s, ts: Date.now() })));
      await new Promise((r) => setTimeout(r, 1100));
    }
    const m = await waitFor(() => out, /\[ALERT\] BTC\/USDT anomaly detected!\nTimestamp: .+ UTC\nPrice Change: \+[\d.]+% in \d+ (seconds|minutes?)\nAnomaly Score: 0\.\d+/, 30_000);
    expect(m[0]).toContain('[ALERT] BTC/USDT');
    expect(out).toContain('Venue: binance');
    await waitFor(() => out, /Chart: .+\.png/, 20_000);
    const pngs = readdirSync(join(dir, 'alerts')).filter((f) => f.endsWith('.png'));
    expect(pngs.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'alerts', pngs[0])).subarray(1, 4).toString()).toBe('PNG');

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toMatch(/"msg":"stopped"/);
  }, 120_000);
});
