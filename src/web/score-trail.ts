/**
 * The recent scores of one stream for the overview's small chart: the highest score in each time
 * bucket, in a fixed ring (constant memory per stream, however long the process runs).
 */
export class ScoreTrail {
  private readonly values: Float32Array;
  private head = 0;
  private headBucket = -1;

  constructor(
    readonly points: number,
    readonly bucketMs: number,
  ) {
    this.values = new Float32Array(points);
  }

  add(ts: number, score: number): void {
    const b = Math.floor(ts / this.bucketMs);
    if (this.headBucket < 0) this.headBucket = b;
    if (b > this.headBucket) {
      const steps = Math.min(b - this.headBucket, this.points);
      for (let i = 0; i < steps; i++) {
        this.head = (this.head + 1) % this.points;
        this.values[this.head] = 0;
      }
      this.headBucket = b;
    } else if (b < this.headBucket) {
      // A late bar (backfill) older than the trail's window does not belong on it.
      if (this.headBucket - b >= this.points) return;
      const i = (this.head - (this.headBucket - b) + this.points) % this.points;
      if (score > this.values[i]) this.values[i] = score;
      return;
    }
    if (score > this.values[this.head]) this.values[this.head] = score;
  }

  /** Oldest first, rounded to 3 decimals; empty before the first score. */
  toArray(): number[] {
    if (this.headBucket < 0) return [];
    const out = new Array<number>(this.points);
    for (let k = 0; k < this.points; k++) out[k] = Math.round(this.values[(this.head + 1 + k) % this.points] * 1000) / 1000;
    return out;
  }
}
