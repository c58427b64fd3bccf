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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const results: BenchSection[] = [];
  for (const name of SECTIONS) {
    if (only.length && !only.includes(name)) continue;
    const url = new URL(`./${name}.js`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as { run: BenchRunner };
    if (!json) process.stderr.write(`running ${name}...\n`);
    results.push(await mod.run({ quick }));
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
