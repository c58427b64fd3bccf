import { presetRule } from '../src/engine/core/rules.js';
import type { Tick } from '../src/engine/core/types.js';
import { Engine } from '../src/engine/engine.js';
import { STATISTICAL_DETECTORS, type EngineOptionsInput } from '../src/engine/options.js';
import { StaticRuleSource } from '../src/engine/ports/rule-source.js';
import { InlineTrainer } from '../src/engine/trainers.js';
import { randomWalk } from '../src/engine/testing/synthetic.js';
import type { BenchRunner, Measure } from './types.js';

/** Trades per second per stream in the workload: a busy pair, about five trades a 1-second bar. */
const RATE = 5;

function workload(streams: number, seconds: number): Tick[] {
  const all: Tick[] = [];
  for (let i = 0; i < streams; i++) {
    all.push(...randomWalk({ seconds, rate: RATE, seed: i + 1, symbol: `S${i}/USDT`, venue: 'bench', price: 10 + i }));
  }
  return all.sort((a, b) => a.ts - b.ts);
}

function engine(options: EngineOptionsInput): Engine {
  return new Engine({
    options,
    clock: { now: () => 0 },
    rules: new StaticRuleSource([presetRule('normal')]),
    sink: { publish: () => {} },
    trainer: new InlineTrainer(),
  });
}

function throughput(ticks: Tick[], options: EngineOptionsInput, reps: number): { perSec: number; bars: number } {
  let best = 0;
  let bars = 0;
  for (let r = 0; r < reps; r++) {
    const e = engine(options);
    const t0 = performance.now();
    for (let i = 0; i < ticks.length; i++) e.ingest(ticks[i]);
    e.flush();
    const dt = performance.now() - t0;
    best = Math.max(best, ticks.length / (dt / 1000));
    bars = e.stats().bars;
  }
  return { perSec: best, bars };
}

function latencies(ticks: Tick[], options: EngineOptionsInput): { p50: number; p99: number } {
  const e = engine(options);
  // Warm the streams and the JIT on the first half, time each tick of the second half.
  const half = ticks.length >> 1;
  for (let i = 0; i < half; i++) e.ingest(ticks[i]);
  const ns = new Float64Array(ticks.length - half);
  for (let i = half; i < ticks.length; i++) {
    const t0 = process.hrtime.bigint();
    e.ingest(ticks[i]);
    ns[i - half] = Number(process.hrtime.bigint() - t0);
  }
  ns.sort();
  return { p50: ns[Math.floor(ns.length * 0.5)] / 1000, p99: ns[Math.floor(ns.length * 0.99)] / 1000 };
}

function parseRate(ticks: Tick[], reps: number): number {
  const lines = ticks.map((t) => JSON.stringify({ ts: t.ts, price: t.price, qty: t.qty, side: t.side, venue: t.venue, symbol: t.symbol }));
  let best = 0;
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < lines.length; i++) sink += (JSON.parse(lines[i]) as Tick).price;
    best = Math.max(best, lines.length / ((performance.now() - t0) / 1000));
  }
  if (sink === 42) console.log('');
  return best;
}

/** Memory per stream with every detector trained: each stream gets enough bars to train its forest. */
function memoryPerStream(n: number): { bytes: number; accounted: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const e = engine({});
  const bars = 200;
  for (let b = 0; b < bars; b++) {
    for (let s = 0; s < n; s++) {
      const p = 10 + s + Math.sin(b * 0.37 + s) * 0.05;
      e.ingest({ venue: 'm', symbol: `S${s}`, ts: b * 1000 + (s % 900), price: p, qty: 1, side: b % 2 ? 'buy' : 'sell' });
    }
  }
  e.flush();
  gc?.();
  const after = process.memoryUsage();
  const used = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  const accounted = e.byteSize() / n;
  // Keep the engine alive until measured.
  if (e.stats().streams !== n) throw new Error('stream count');
  return { bytes: used / n, accounted };
}

export const run: BenchRunner = async ({ quick }) => {
  const ticks = workload(quick ? 20 : 100, quick ? 600 : 3600);
  // The machine is shared: rounds are interleaved (statistical, full, parse, then again) so a noisy
  // spell hits all three alike, and each keeps its best round.
  const rounds = quick ? 2 : 5;
  const stat = { perSec: 0, bars: 0 };
  const full = { perSec: 0, bars: 0 };
  let parse = 0;
  for (let r = 0; r < rounds; r++) {
    const s = throughput(ticks, { detectors: STATISTICAL_DETECTORS }, 1);
    const f = throughput(ticks, {}, 1);
    if (s.perSec > stat.perSec) Object.assign(stat, s);
    if (f.perSec > full.perSec) Object.assign(full, f);
    parse = Math.max(parse, parseRate(ticks, 1));
  }
  const latStat = latencies(ticks.slice(0, 400_000), { detectors: STATISTICAL_DETECTORS });
  const latFull = latencies(ticks.slice(0, 400_000), {});
  const m1k = memoryPerStream(1000);
  const m10k = quick ? null : memoryPerStream(10_000);
  const KiB = 1024;
  const measures: Measure[] = [
    { key: 'engine.stat.ticks_per_s', label: 'windows + statistical detectors', value: stat.perSec, unit: 'ticks/s', goal: '>= 1000000' },
    { key: 'engine.full.ticks_per_s', label: 'full ensemble (learned models on bar close)', value: full.perSec, unit: 'ticks/s', goal: '>= 300000' },
    { key: 'engine.json_parse.ticks_per_s', label: 'JSON.parse of the same ticks only', value: parse, unit: 'ticks/s' },
    { key: 'engine.stat_vs_parse.ratio', label: 'statistical path / JSON.parse', value: stat.perSec / parse, unit: 'x' },
    { key: 'engine.full_vs_parse.ratio', label: 'full ensemble / JSON.parse', value: full.perSec / parse, unit: 'x' },
    { key: 'engine.stat.tick_p50_us', label: 'per tick p50, statistical', value: latStat.p50, unit: 'µs' },
    { key: 'engine.stat.tick_p99_us', label: 'per tick p99, statistical', value: latStat.p99, unit: 'µs' },
    { key: 'engine.full.tick_p50_us', label: 'per tick p50, full ensemble', value: latFull.p50, unit: 'µs' },
    { key: 'engine.full.tick_p99_us', label: 'per tick p99, full ensemble', value: latFull.p99, unit: 'µs' },
    { key: 'engine.memory_1k.kib_per_stream', label: 'memory per stream at 1k streams (measured)', value: m1k.bytes / KiB, unit: 'KiB', goal: '<= 256' },
    { key: 'engine.memory.accounted_kib_per_stream', label: 'memory per stream (sum of its parts)', value: m1k.accounted / KiB, unit: 'KiB', goal: '<= 256' },
  ];
  if (m10k) measures.push({ key: 'engine.memory_10k.kib_per_stream', label: 'memory per stream at 10k streams (measured)', value: m10k.bytes / KiB, unit: 'KiB', goal: '<= 256' });
  return {
    name: 'engine',
    measures,
    notes: [`workload: ${ticks.length} ticks over ${quick ? 20 : 100} random-walk streams at ${RATE} trades/s (${(ticks.length / full.bars).toFixed(1)} ticks per 1-second bar), one core`],
  };
};
