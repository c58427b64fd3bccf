/** Number formats for axis labels: short, grouped, no locale data needed. */

/** `63,870.5` with the decimals the tick step needs. */
export function formatTickPrice(v: number, step: number): string {
  const digits = step > 0 ? Math.min(8, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 2;
  return groupThousands(v.toFixed(digits));
}

export function groupThousands(fixed: string): string {
  const neg = fixed.startsWith('-');
  const body = neg ? fixed.slice(1) : fixed;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot);
  let grouped = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) grouped += ',';
    grouped += int[i];
  }
  return `${neg ? '-' : ''}${grouped}${frac}`;
}

const COMPACT = [
  { at: 1e12, suffix: 'T' },
  { at: 1e9, suffix: 'B' },
  { at: 1e6, suffix: 'M' },
  { at: 1e3, suffix: 'K' },
] as const;

/** `1.2M`, `850K`, `12`. */
export function formatCompact(v: number): string {
  const a = Math.abs(v);
  for (const { at, suffix } of COMPACT) {
    if (a >= at) {
      const x = v / at;
      return `${Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1).replace(/\.0$/, '')}${suffix}`;
    }
  }
  return a >= 100 || a === 0 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, '');
}

/** Round values (1, 2, 2.5 or 5 times a power of ten apart) on [min, max], at most about `maxTicks`. */
export function niceTicks(min: number, max: number, maxTicks: number): { values: number[]; step: number } {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return { values: Number.isFinite(min) ? [min] : [], step: 0 };
  const raw = span / Math.max(1, maxTicks);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const values: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  return { values, step };
}
