import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/engine/core/math.js';
import type { BenchRunner } from './types.js';

/** Writes a trades CSV of about `bytes` bytes: a random walk at 20 trades a second. */
async function writeTrades(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  const rng = new Rng(1);
  let size = 0;
  let rows = 0;
  let t = Date.UTC(2025, 0, 1);
  let p = 60_000;
  const header = 'timestamp,price,amount,side\n';
  out.write(header);
  size += header.length;
  while (size < bytes) {
    const chunk: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      t += 1 + Math.floor(rng.next() * 100);
      p *= 1 + rng.normal() * 0.0001;
      const line = `${t},${p.toFixed(2)},${(rng.next() * 0.5).toFixed(5)},${rng.next() < 0.5 ? 'buy' : 'sell'}`;
      chunk.push(line);
      size += line.length + 1;
      rows++;
    }
    if (!out.write(chunk.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
  return rows;
}

/** Runs `tickwatch score` on the file in a child process; returns seconds and peak RSS. */
function score(file: string): Promise<{ seconds: number; peakRssMiB: number }> {
  const bin = fileURLToPath(new URL('../../bin/tickwatch.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // /usr/bin/time is not everywhere: the child reports its own peak RSS on exit instead.
    const child = spawn(process.execPath, ['-e', `process.on('exit',()=>process.stderr.write('MAXRSS '+process.resourceUsage().maxRSS+'\\n'));process.argv.splice(1,0,'x');import(${JSON.stringify(bin)})`, 'score', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`tickwatch score exited ${code}: ${err}`));
      const m = /MAXRSS (\d+)/.exec(err);
      resolve({ seconds: (performance.now() - t0) / 1000, peakRssMiB: m ? Number(m[1]) / 1024 : NaN });
    });
  });
}

export const run: BenchRunner = async ({ quick }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwatch-bench-cli-'));
  try {
    const small = join(dir, 'small.csv');
    const big = join(dir, 'big.csv');
    const smallRows = await writeTrades(small, 20 * 1024 * 1024);
    const bigBytes = quick ? 100 * 1024 * 1024 : 1024 * 1024 * 1024;
    const bigRows = await writeTrades(big, bigBytes);
    const a = await score(small);
    const b = await score(big);
    const sizeMiB = statSync(big).size / 1024 / 1024;
    return {
      name: 'cli',
      measures: [
        { key: 'cli.score.rows_per_s', label: `tickwatch score, ${Math.round(sizeMiB)} MiB trades CSV`, value: bigRows / b.seconds, unit: 'rows/s' },
        { key: 'cli.score_small.peak_rss_mib', label: 'peak RSS, 20 MiB file', value: a.peakRssMiB, unit: 'MiB' },
        { key: 'cli.score_big.peak_rss_mib', label: `peak RSS, ${Math.round(sizeMiB)} MiB file`, value: b.peakRssMiB, unit: 'MiB', goal: 'constant: about the 20 MiB figure' },
      ],
      notes: [`${smallRows} and ${bigRows} rows; memory must not grow with the file`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
