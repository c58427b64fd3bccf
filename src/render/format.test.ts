import { describe, expect, it } from 'vitest';
import { formatCompact, formatTickPrice, groupThousands, niceTicks } from './format.js';

describe('axis number formats', () => {
  it('groups thousands and keeps the decimals the step needs', () => {
    expect(groupThousands('-1234567.5')).toBe('-1,234,567.5');
    expect(formatTickPrice(63870, 500)).toBe('63,870');
    expect(formatTickPrice(0.000123, 0.00001)).toBe('0.00012');
  });

  it('writes volumes short', () => {
    expect([formatCompact(0), formatCompact(12.34), formatCompact(1500), formatCompact(2_340_000), formatCompact(150e9)]).toEqual(['0', '12.3', '1.5K', '2.3M', '150B']);
  });

  it('puts round ticks inside the range', () => {
    expect(niceTicks(58_856, 64_116, 5)).toEqual({ values: [60_000, 62_000, 64_000], step: 2000 });
    expect(niceTicks(5, 5, 5).values).toEqual([5]);
  });
});
