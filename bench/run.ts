import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRunner, BenchSection } from './types.js';

/** Every benchmark section, in the order printed; a section whose module is absent is skipped with a note. */
const SECTIONS = ['engine', 'cli', 'ingest', 'store', 'render', 'telegram', 'discord', 'web'] as const;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

const CHILD_FLAG = '--section';

/** Runs one section in a child process (same Node flags, e.g. --expose-gc) and returns its result. */
function runSection(name: string, quick: boolean): Promise<BenchSection> {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, name, ...(quick ? ['--quick'] : [])], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: BenchSection | undefined;
    p.on('message', (m) => (result = m as BenchSection));
    p.on('error', reject);
    p.on('exit', (code) => (result ? resolve(result) : reject(new Error(`bench section ${name} failed (exit code ${String(code)})`))));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const child = args.indexOf(CHILD_FLAG);
  if (child >= 0) {
    // One section in a process of its own: what a section leaves behind (sockets, timers, a
    // client still draining a flood) cannot slow the next one down.
    const name = args[child + 1] ?? '';
    const mod = (await import(new URL(`./${name}.js`, import.meta.url).href)) as { run: BenchRunner };
    const result = await mod.run({ quick });
    process.send?.(result);
    process.disconnect?.();
    process.exit(0);
  }
  const only = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== CHILD_FLAG);
  const results: BenchSection[] = [];
  for (const name of SECTIONS) {
    if (only.length && !only.includes(name)) continue;
    const url = new URL(`./${name}.js`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    if (!json) process.stderr.write(`running ${name}...\n`);
    results.push(await runSection(name, quick));
  }
  if (json) {
    const out: Record<string, number> = {};
    for (const s of results) for (const m of s.measures) out[m.key] = m.value;
    process.stdout.write(`${JSON.stringify({ node: process.version, quick, measures: out, notes: results.flatMap((s) => s.notes ?? []) }, null, 2)}\n`);
    return;
  }
  const rows = [['measure', 'value', 'unit', 'goal / anchor']];
  for (const s of results) {
    rows.push([`[${s.name}]`, '', '', '']);
    for (const m of s.measures) rows.push([m.label, fmt(m.value), m.unit, [m.goal, m.anchor].filter(Boolean).join('; ')]);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 1 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  process.stdout.write(`${line(rows[0])}\n${w.map((n) => '-'.repeat(n)).join('  ')}\n${rows.slice(1).map(line).join('\n')}\n`);
  for (const s of results) for (const n of s.notes ?? []) process.stdout.write(`note (${s.name}): ${n}\n`);
}

await main();
