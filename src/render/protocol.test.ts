import { describe, expect, it } from 'vitest';
import type { Bar } from '../engine/index.js';
import { packJob, unpackJob, type RenderJob } from './protocol.js';
import { sampleAlertRequest, sampleRangeRequest } from './samples.js';

describe('render jobs on their way to a worker', () => {
  it('GIVEN an hour of bars on several venues with a composite THEN they travel packed and come back equal', () => {
    const req = sampleAlertRequest('venues', { n: 3600 });
    const job: RenderJob = { id: 7, kind: 'alert', req };
    const { wire, transfer } = packJob(job);
    expect(wire.packed).toHaveLength(req.series.length + 1);
    expect(transfer).toHaveLength(req.series.length + 1);
    for (const s of wire.req.series) expect(s.bars).toEqual([]);
    // What a worker receives is a structured clone, with the buffers moved.
    const received = structuredClone(wire, { transfer });
    expect(unpackJob(received)).toEqual(job);
  });

  it('GIVEN bars with missing or NaN fields THEN they come back NaN, which the renderer treats as missing', () => {
    const req = sampleRangeRequest();
    const bars = req.series[0]!.bars.map((b, i) => (i === 3 ? ({ ...b, close: Number.NaN, quoteVolume: undefined } as unknown as Bar) : b));
    const job: RenderJob = { id: 1, kind: 'range', req: { ...req, series: [{ ...req.series[0]!, bars }] } };
    const back = unpackJob(structuredClone(packJob(job).wire)).req.series[0]!.bars[3]!;
    expect(back.close).toBeNaN();
    expect(back.quoteVolume).toBeNaN();
    expect(back.ts).toBe(bars[3]!.ts);
  });

  it('GIVEN malformed bars or a short series THEN they are sent as they are, for the worker to judge', () => {
    const req = sampleAlertRequest('spike', { n: 600 });
    const odd = req.series[0]!.bars.map((b, i) => (i === 10 ? ({ ...b, close: '61000' } as unknown as Bar) : b));
    const withNull = [...req.series[0]!.bars.slice(0, 100), null as unknown as Bar];
    const short = sampleAlertRequest('spike', { n: 20 }).series[0]!;
    const job: RenderJob = {
      id: 2,
      kind: 'alert',
      req: { ...req, series: [{ ...req.series[0]!, bars: odd }, { ...req.series[0]!, venue: 'x', bars: withNull }, short] },
    };
    const { wire, transfer } = packJob(job);
    expect(transfer).toHaveLength(0);
    expect(wire).toBe(job);
    const notAnArray = { id: 3, kind: 'alert', req: { ...req, series: 'none' } } as unknown as RenderJob;
    expect(packJob(notAnArray).wire).toBe(notAnArray);
  });
});
