/**
 * Mean and sample standard deviation of the last `size` values, from exact window sums recomputed
 * every `size` pushes so that floating-point drift stays out.
 */
export class RollingMoments {
  private readonly buf: Float64Array;
  private head = 0;
  n = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceRecompute = 0;

  constructor(readonly size: number) {
    this.buf = new Float64Array(size);
  }

  get mean(): number {
    return this.n > 0 ? this.sum / this.n : NaN;
  }

  /** Sample standard deviation (0 with fewer than two values). */
  get std(): number {
    const n = this.n;
    if (n < 2) return 0;
    const mean = this.sum / n;
    return Math.sqrt(Math.max(0, (this.sumSq - n * mean * mean) / (n - 1)));
  }

  push(x: number): void {
    const w = this.size;
    if (this.n === w) {
      const old = this.buf[this.head];
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.n++;
    }
    this.buf[this.head] = x;
    this.sum += x;
    this.sumSq += x * x;
    this.head = this.head + 1 === w ? 0 : this.head + 1;
    if (++this.sinceRecompute >= w) {
      this.sinceRecompute = 0;
      let s = 0;
      let q = 0;
      for (let i = 0; i < this.n; i++) {
        s += this.buf[i];
        q += this.buf[i] * this.buf[i];
      }
      this.sum = s;
      this.sumSq = q;
    }
  }

  byteSize(): number {
    return this.buf.byteLength + 56;
  }
}
