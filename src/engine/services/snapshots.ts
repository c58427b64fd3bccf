import type { SnapshotStore, WindowSnapshot } from '../ports/store.js';

/** How often windows are saved while running (a crash loses at most this much history). */
export const SNAPSHOT_INTERVAL_MS = 60_000;

/** Who owns the windows: the engine serialises and restores them; the store only keeps bytes. */
export interface SnapshotSource {
  /** Current windows of every stream worth keeping. */
  collect(): WindowSnapshot[];
  /** Puts a stream's saved windows back; returns false when the bytes are not usable (old format). */
  restore(stream: string, data: Uint8Array): boolean;
}

export interface SnapshotReport {
  restored: number;
  unusable: string[];
}

/**
 * Window snapshots: restored on start (then the feeds top them up by backfill), saved
 * periodically and once more on shutdown.
 */
export class WindowSnapshots {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly store: SnapshotStore,
    private readonly source: SnapshotSource,
    private readonly onError?: (err: unknown, context: string) => void,
  ) {}

  async restoreAll(): Promise<SnapshotReport> {
    const report: SnapshotReport = { restored: 0, unusable: [] };
    for (const stream of await this.store.listSnapshots()) {
      const data = await this.store.loadSnapshot(stream);
      if (data && this.source.restore(stream, data)) report.restored++;
      else {
        report.unusable.push(stream);
        await this.store.deleteSnapshot(stream);
      }
    }
    return report;
  }

  async saveNow(): Promise<number> {
    const snaps = this.source.collect();
    await this.store.saveSnapshots(snaps);
    return snaps.length;
  }

  start(intervalMs = SNAPSHOT_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.saveNow().catch((err: unknown) => this.onError?.(err, 'window snapshot'));
    }, intervalMs);
    this.timer.unref?.();
  }

  /** Stops the timer and saves one last time. */
  async stop(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.saveNow();
  }
}
