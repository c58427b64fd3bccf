import type { FeedLog } from '../ports/feed.js';

/**
 * Counts dropped frames and trades per kind, and logs the first of each kind once (with a short
 * sample), so that a venue changing its format is visible without flooding the log.
 */
export class DropCounter {
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly venue: string,
    private readonly log: FeedLog,
  ) {}

  drop(kind: string, sample: string): void {
    const n = this.counts[kind];
    if (n === undefined) {
      this.counts[kind] = 1;
      this.log.warn({ venue: this.venue, kind, sample }, `feed ${this.venue}: dropped a ${kind} frame (logged once per kind; counted in feed counters)`);
    } else {
      this.counts[kind] = n + 1;
    }
  }
}
