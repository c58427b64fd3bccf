import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/engine/index.js';
import { RenderPool } from '../../src/render/pool.js';
import { ChartRenderer } from '../../src/render/renderer.js';
import { sampleAlertRequest, sampleRangeRequest } from '../../src/render/samples.js';
import { CRASH_SYMBOL, HANG_SYMBOL } from './fixtures/faulty-symbols.js';
import { decodePng } from './helpers.js';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('RenderPool', () => {
  let pool: RenderPool;
  let inThread: ChartRenderer;
  beforeAll(() => {
    pool = new RenderPool({ size: 2 });
    inThread = new ChartRenderer();
  });
  afterAll(() => pool.close());

  it('GIVEN an alert chart THEN the pool returns the same bytes as the in-thread renderer', async () => {
    const req = sampleAlertRequest('spike');
    const [pooled, local] = await Promise.all([pool.renderAlert(req), inThread.renderAlert(req)]);
    expect(same(pooled, local)).toBe(true);
    expect(decodePng(pooled).width).toBe(1200);
  });

  it('GIVEN one alert sent to many recipients at once THEN it is drawn once and all get the same PNG', async () => {
    const req = sampleAlertRequest('dump');
    const before = pool.stats();
    const pngs = await Promise.all(Array.from({ length: 8 }, () => pool.renderAlert({ ...req })));
    const after = pool.stats();
    expect(after.rendered - before.rendered).toBe(1);
    expect(after.cache.hits - before.cache.hits).toBe(7);
    for (const p of pngs) expect(p).toBe(pngs[0]);
    // Another look at the same alert is another picture.
    const lightPng = await pool.renderAlert({ ...req, theme: 'light' });
    expect(same(lightPng, pngs[0]!)).toBe(false);
  });

  it('GIVEN an hour of bars on several venues THEN the pool returns the same bytes as the in-thread renderer', async () => {
    const req = sampleAlertRequest('venues', { n: 3600 });
    const [pooled, local] = await Promise.all([pool.renderAlert(req), inThread.renderAlert(req)]);
    expect(same(pooled, local)).toBe(true);
  });

  it('GIVEN range charts in parallel THEN every one comes back right', async () => {
    const reqs = ['15m', '1h', '4h', '24h'].map((range) => sampleRangeRequest({ range }));
    const pngs = await Promise.all(reqs.map((r) => pool.renderRange(r)));
    for (const [i, png] of pngs.entries()) expect(same(png, await inThread.renderRange(reqs[i]!))).toBe(true);
  });

  it('GIVEN a bad request THEN it fails alone with a UserError and the pool keeps drawing', async () => {
    const err = await pool.renderAlert(sampleAlertRequest('spike', { timeZone: 'Nowhere/Special' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('bad_input');
    const noId = await pool.renderAlert({ ...sampleAlertRequest('spike'), alert: { ...sampleAlertRequest('spike').alert, id: '' } }).catch((e: unknown) => e);
    expect(noId).toBeInstanceOf(UserError);
    const ok = await pool.renderAlert(sampleAlertRequest('flat'));
    expect(decodePng(ok).height).toBe(675);
  });
});

describe('RenderPool with a failing worker', () => {
  let pool: RenderPool;
  const errors: string[] = [];
  beforeAll(() => {
    pool = new RenderPool({ size: 1, jobTimeoutMs: 2_000, workerUrl: new URL('./fixtures/faulty-worker.ts', import.meta.url), onError: (_e, ctx) => errors.push(ctx) });
  });
  afterAll(() => pool.close());

  it('GIVEN a worker that dies while drawing THEN that job fails as retryable, the worker is replaced and the next chart renders', async () => {
    const bad = sampleAlertRequest('spike');
    const crash = pool.renderAlert({ ...bad, alert: { ...bad.alert, id: 'crash', symbol: CRASH_SYMBOL } });
    const next = pool.renderAlert(sampleAlertRequest('gap'));
    await expect(crash).rejects.toBeInstanceOf(TemporaryError);
    expect(decodePng(await next).width).toBe(1200);
    expect(pool.stats().workerDeaths).toBe(1);
    expect(errors).toContain('render worker died');
  });

  it('GIVEN a worker that stops answering THEN the job times out as retryable and a new worker takes over', async () => {
    const hang = pool.renderRange({ ...sampleRangeRequest(), symbol: HANG_SYMBOL });
    await expect(hang).rejects.toBeInstanceOf(TemporaryError);
    expect(pool.stats().timeouts).toBe(1);
    expect(decodePng(await pool.renderRange(sampleRangeRequest({ range: '1h' }))).width).toBe(1200);
  });

  it('GIVEN the pool is closed THEN waiting jobs fail as retryable and new ones are refused', async () => {
    const p = new RenderPool({ size: 1 });
    const outcomes = Array.from({ length: 2 }, () => p.renderRange(sampleRangeRequest()).then(() => 'drawn', (e: unknown) => e));
    await p.close();
    for (const o of await Promise.all(outcomes)) expect(o).toBeInstanceOf(TemporaryError);
    await expect(p.renderRange(sampleRangeRequest())).rejects.toBeInstanceOf(TemporaryError);
  });
});
