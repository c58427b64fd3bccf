import { quantileSorted } from '../core/math.js';

/**
 * The last `capacity` values, kept both in arrival order (to know which to drop) and sorted (for
 * quantiles). Insert and remove are a binary search and one typed-array move: O(log n + n) with a
 * tiny constant, fine for windows of a few hundred values.
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  readonly sorted: Float64Array;
  private head = 0;
  private n = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  push(x: number): void {
    if (this.n === this.capacity) {
      this.removeSorted(this.ring[this.head]);
    } else {
      this.n++;
    }
    this.ring[this.head] = x;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.insertSorted(x);
  }

  quantile(p: number): number {
    return quantileSorted(this.sorted, this.n, p);
  }

  /** Median of |x - median|, exact, by merging outwards from the median: O(n/2). */
  medianAbsoluteDeviation(): number {
    const n = this.n;
    if (n === 0) return NaN;
    const s = this.sorted;
    const med = this.quantile(0.5);
    // Deviations to the left of the median grow as i falls, to the right as j rises: merge them.
    let i = lowerBound(s, n, med) - 1;
    let j = i + 1;
    const want = n >> 1; // index (0-based) of the upper middle deviation
    let k = 0;
    let prev = 0;
    let cur = 0;
    while (k <= want) {
      const dl = i >= 0 ? med - s[i] : Infinity;
      const dr = j < n ? s[j] - med : Infinity;
      prev = cur;
      if (dl <= dr) {
        cur = dl;
        i--;
      } else {
        cur = dr;
        j++;
      }
      k++;
    }
    // Median of n deviations: the middle one, or the mean of the two middle ones.
    return n % 2 === 1 ? cur : (prev + cur) / 2;
  }

  private insertSorted(x: number): void {
    const count = this.n - 1; // values already in `sorted`
    const at = upperBound(this.sorted, count, x);
    this.sorted.copyWithin(at + 1, at, count);
    this.sorted[at] = x;
  }

  private removeSorted(x: number): void {
    const count = this.n;
    const at = lowerBound(this.sorted, count, x);
    this.sorted.copyWithin(at, at + 1, count);
  }

  byteSize(): number {
    return this.ring.byteLength + this.sorted.byteLength;
  }
}

function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
