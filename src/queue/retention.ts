/**
 * How long finished jobs are kept. A kept job also dedupes: adding its id again is a no-op while
 * it is kept (receipts in the store dedupe deliveries beyond that). Failed jobs are the dead
 * letters that `tickwatch queues` shows, so they stay longer.
 */
export const FINISHED_RETENTION = {
  completed: { ageMs: 3_600_000, count: 10_000 },
  failed: { ageMs: 7 * 24 * 3_600_000, count: 10_000 },
} as const;
