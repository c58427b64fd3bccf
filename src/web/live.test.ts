import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../engine/index.js';
import type { DashboardDeps, StreamView } from './deps.js';
import { LiveHub, type LiveUpdate } from './live.js';
import { dashboardOptions, type DashboardOptions } from './options.js';
import { ReadModel } from './read-model.js';

function stream(venue: string, symbol: string): StreamView & { evaluation: Evaluation } {
  return {
    venue,
    symbol,
    counters: { ticks: 0, bars: 0 },
    bars: () => [],
    evaluation: { venue, symbol, barTs: 1000, ts: 2000, price: 100, score: 0.5, surprise: 0, sign: 1, detectors: [], quoteVolume: 1, origin: 'live', afterGap: false, warmingUp: false },
  };
}

function hub(opts: Partial<DashboardOptions> = {}) {
  const streams = [stream('binance', 'BTC/USDT'), stream('okx', 'BTC/USDT'), stream('binance', 'ETH/USDT')];
  const deps = {
    engine: {
      options: { shortBarMs: 1000, shortBars: 900, longBarMs: 60_000, longBars: 1440 },
      streams: () => streams,
      find: (v: string, s: string) => streams.find((x) => x.venue === v && x.symbol === s),
      onEvaluation: () => () => {},
      onAlert: () => () => {},
    },
    feeds: [],
    alerts: { getAlert: async () => null, recentAlerts: async () => [], getChart: async () => null },
    clock: { now: () => 5000 },
    auth: { host: '127.0.0.1' },
    secrets: [],
  } satisfies DashboardDeps;
  const opt = dashboardOptions({ batchDelayMs: 2, ...opts });
  const model = new ReadModel(deps, opt);
  const h = new LiveHub(model, deps.clock, opt, (s) => s.replaceAll('SECRET-VALUE', '[redacted]'));
  const batches: LiveUpdate[] = [];
  h.onBatch((u) => batches.push(u));
  const emit = (i: number, price: number) => {
    streams[i]!.evaluation.price = price;
    h.events.stream(streams[i]!, streams[i]!.evaluation);
  };
  return { h, streams, batches, emit };
}

const until = async (pred: () => boolean) => {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(pred()).toBe(true);
};

async function readAll(res: Response): Promise<string> {
  return new Response(res.body).text();
}

describe('LiveHub', () => {
  it('GIVEN changes of several streams at once THEN they leave as one batch, one write per client', async () => {
    const { h, batches, emit } = hub();
    const res = h.connect(undefined)!;
    emit(0, 101);
    emit(1, 102);
    emit(2, 3000);
    await until(() => batches.length === 1);
    expect(batches[0]!.streams.map((s) => [s.venue, s.symbol, s.price])).toEqual([
      ['binance', 'BTC/USDT', 101],
      ['okx', 'BTC/USDT', 102],
      ['binance', 'ETH/USDT', 3000],
    ]);
    expect(h.stats()).toMatchObject({ clients: 1, batches: 1, sent: 1 });
    h.close();
    const text = await readAll(res);
    expect(text.match(/event: update\n/g)).toHaveLength(1);
  });

  it('GIVEN a stream that changes faster than streamMinIntervalMs THEN the waiting changes collapse into its latest', async () => {
    const { h, batches, emit } = hub({ streamMinIntervalMs: 100 });
    emit(0, 1);
    await until(() => batches.length === 1);
    for (let p = 2; p <= 6; p++) emit(0, p);
    emit(2, 50);
    await until(() => batches.length === 3);
    // The other stream did not wait; this one's five changes arrived as one, with the last price.
    expect(batches[1]!.streams.map((s) => [s.symbol, s.price])).toEqual([['ETH/USDT', 50]]);
    expect(batches[2]!.streams.map((s) => [s.symbol, s.price])).toEqual([['BTC/USDT', 6]]);
    h.close();
  });

  it('GIVEN a client that reads nothing THEN it is dropped once its backlog passes the limit, and the others go on', async () => {
    const { h, batches, emit } = hub({ maxClientBacklogBytes: 600, streamMinIntervalMs: 0 });
    const slow = h.connect(undefined)!;
    const fast = h.connect(undefined)!;
    const reader = fast.body!.getReader();
    const pump = (async () => {
      for (;;) if ((await reader.read()).done) return;
    })();
    for (let i = 0; i < 10; i++) {
      emit(0, 100 + i);
      await until(() => batches.length === i + 1);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(h.stats().dropped).toBe(1);
    expect(h.stats().clients).toBe(1);
    await expect(readAll(slow)).rejects.toThrow(/too slow/);
    h.close();
    await pump;
  });

  it('filters by symbol for the pair page, and scrubs secrets from what it sends', async () => {
    const { h, batches, emit } = hub();
    const eth = h.connect('ETH/USDT')!;
    const all = h.connect(undefined)!;
    emit(0, 1);
    await until(() => batches.length === 1);
    h.events.status({ venue: 'binance', symbol: 'ETH/USDT', status: 'stale', feedStatus: 'stale', since: 1, reason: 'SECRET-VALUE in a reason' });
    await until(() => batches.length === 2);
    h.close();
    const [e, a] = await Promise.all([readAll(eth), readAll(all)]);
    expect(e.match(/event: update/g)).toHaveLength(1);
    expect(e).toContain('"status":"stale"');
    expect(e).not.toContain('BTC/USDT');
    expect(a.match(/event: update/g)).toHaveLength(2);
    expect(a).not.toContain('SECRET-VALUE');
    expect(a).toContain('[redacted] in a reason');
  });

  it('GIVEN a socket that stops draining THEN the client is dropped once its unsent bytes pass the limit', async () => {
    const { h, batches, emit } = hub({ maxClientBacklogBytes: 600, streamMinIntervalMs: 0 });
    const written: string[] = [];
    let onClose = () => {};
    const res = {
      destroyed: false,
      writableLength: 0,
      writeHead: () => res,
      write(b: Uint8Array) {
        written.push(new TextDecoder().decode(b));
        this.writableLength += b.byteLength;
        return false;
      },
      on: (_: string, fn: () => void) => ((onClose = fn), res),
      destroy() {
        this.destroyed = true;
        onClose();
      },
      end: () => {},
    };
    expect(h.attach(undefined, res as unknown as ServerResponse)).toBe(true);
    expect(written[0]).toBe('retry: 2000\n: connected\n\n');
    for (let i = 0; i < 10 && !res.destroyed; i++) {
      emit(0, 100 + i);
      await until(() => batches.length === i + 1);
    }
    expect(res.destroyed).toBe(true);
    expect(h.stats()).toMatchObject({ clients: 0, dropped: 1 });
    h.close();
  });

  it('serves at most maxClients, and none after close', () => {
    const { h } = hub({ maxClients: 2 });
    expect(h.connect(undefined)).not.toBeNull();
    expect(h.connect(undefined)).not.toBeNull();
    expect(h.connect(undefined)).toBeNull();
    h.close();
    expect(h.stats().clients).toBe(0);
    expect(h.connect(undefined)).toBeNull();
  });
});
