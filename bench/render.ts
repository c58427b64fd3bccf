import { availableParallelism } from 'node:os';
import type { AlertChartRequest } from '../src/engine/index.js';
import { RenderPool, defaultPoolSize } from '../src/render/pool.js';
import { ChartRenderer } from '../src/render/renderer.js';
import { sampleAlertRequest } from '../src/render/samples.js';
import { percentile } from './stats.js';
import type { BenchRunner, Measure } from './types.js';

/** Points per chart: a typical alert chart (five minutes of 1 s bars) and a long one (an hour). */
const SIZES = [300, 3600] as const;

/**
 * Wall time per chart (p50, p99) and CPU time per chart (mean): on a shared machine the wall time
 * swings with other load, the CPU time much less.
 */
function inThread(renderer: ChartRenderer, req: AlertChartRequest, warm: number, reps: number): { p50: number; p99: number; cpu: number; bytes: number } {
  let bytes = 0;
  for (let i = 0; i < warm; i++) bytes = renderer.drawAlert(req).png.length;
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    renderer.drawAlert(req);
    ms.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), cpu: (cpu.user + cpu.system) / 1000 / reps, bytes };
}

/**
 * Charts per second through the pool, every chart a different alert (no cache hits), and the CPU
 * time the whole process (calling thread and workers) spends per chart: on a shared machine the
 * rate follows the other load, while `cores / CPU per chart` tells what the pool does on idle cores.
 */
async function pooled(pool: RenderPool, req: AlertChartRequest, charts: number): Promise<{ perSec: number; cpu: number }> {
  const ask = (i: number) => pool.renderAlert({ ...req, alert: { ...req.alert, id: `${req.alert.id}:${i}:${Math.random()}` } });
  await Promise.all(Array.from({ length: pool.size * 2 }, (_, i) => ask(-i - 1)));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: charts }, (_, i) => ask(i)));
  const perSec = charts / ((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  return { perSec, cpu: (cpu.user + cpu.system) / 1000 / charts };
}

export const run: BenchRunner = async ({ quick }) => {
  const renderer = new ChartRenderer();
  const reps = quick ? 30 : 200;
  const measures: Measure[] = [];
  const sizes: string[] = [];
  for (const n of SIZES) {
    const r = inThread(renderer, sampleAlertRequest('spike', { n }), 10, reps);
    sizes.push(`${n} points ${(r.bytes / 1024).toFixed(0)} KiB`);
    const goal = '<= 25';
    measures.push(
      { key: `render.alert_${n}.p50_ms`, label: `alert chart, ${n} points, p50 (one thread)`, value: r.p50, unit: 'ms', goal, anchor: n === 300 ? 'Chart.js draw ~4.5 ms + PNG ~15 ms (issue)' : undefined },
      { key: `render.alert_${n}.p99_ms`, label: `alert chart, ${n} points, p99 (one thread)`, value: r.p99, unit: 'ms' },
      { key: `render.alert_${n}.cpu_ms`, label: `alert chart, ${n} points, CPU time (mean)`, value: r.cpu, unit: 'ms' },
    );
  }
  const pool = new RenderPool({ size: defaultPoolSize(), cacheEntries: 0 });
  try {
    for (const n of SIZES) {
      const r = await pooled(pool, sampleAlertRequest('spike', { n }), quick ? 60 : 400);
      measures.push(
        { key: `render.pool_${n}.charts_per_s`, label: `pool of ${pool.size}, ${n} points`, value: r.perSec, unit: 'charts/s', goal: '>= 60 (two cores)' },
        { key: `render.pool_${n}.cpu_ms`, label: `pool of ${pool.size}, ${n} points, process CPU per chart`, value: r.cpu, unit: 'ms' },
      );
    }
  } finally {
    await pool.close();
  }
  return {
    name: 'render',
    measures,
    notes: [`1200x675 PNG, dark theme, spike sample; ${sizes.join(', ')}; ${availableParallelism()} cores`],
  };
};
