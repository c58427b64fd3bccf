/**
 * The send-attempt ledger: a durable "attempting" marker written just before a delivery goes to
 * its platform, beside the receipt written just after. A marker without a receipt means a send
 * started and its outcome is unknown (the worker died, or the request failed or timed out after
 * the platform may have accepted it): the delivery is **in doubt**. The next run of the job learns
 * it from the answer of `markAttempt` and applies the in-doubt policy (`guarantees.ts`).
 */
export interface AttemptMarker {
  /** When the latest send started. */
  at: number;
  /** The job attempt that started it (1-based). */
  attempt: number;
  /**
   * When the first send that left no receipt started: a platform may have taken the message
   * then, so a repeat's distance from it is what a platform's dedupe window must cover.
   */
  firstAt: number;
}

/** What a send about to start records. */
export interface AttemptStart {
  at: number;
  attempt: number;
}

export interface AttemptLedger {
  /**
   * Records that a send of the delivery is starting and answers the marker it replaces: null on
   * a first send; otherwise an earlier send that left no receipt (the caller checked it). The
   * marker keeps the first such send's time (`firstAt`) across repeats.
   */
  markAttempt(deliveryId: string, start: AttemptStart, ttlMs: number): Promise<AttemptMarker | null>;
  getAttempt(deliveryId: string): Promise<AttemptMarker | null>;
  /** Drops the marker once the receipt is stored. */
  clearAttempt(deliveryId: string): Promise<void>;
}

export function isAttemptLedger(x: unknown): x is AttemptLedger {
  const l = x as Partial<AttemptLedger> | null;
  return typeof l?.markAttempt === 'function' && typeof l.getAttempt === 'function' && typeof l.clearAttempt === 'function';
}

/**
 * A ledger in this process's memory: for stores that keep no markers of their own. It knows what
 * this process attempted; it cannot survive the process (nor can an embedded deployment's queue).
 */
export class MemoryAttemptLedger implements AttemptLedger {
  private readonly markers = new Map<string, { marker: AttemptMarker; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async markAttempt(deliveryId: string, start: AttemptStart, ttlMs: number): Promise<AttemptMarker | null> {
    const before = await this.getAttempt(deliveryId);
    this.markers.set(deliveryId, { marker: nextMarker(before, start), expiresAt: this.now() + ttlMs });
    return before;
  }

  async getAttempt(deliveryId: string): Promise<AttemptMarker | null> {
    const e = this.markers.get(deliveryId);
    if (!e) return null;
    if (e.expiresAt <= this.now()) {
      this.markers.delete(deliveryId);
      return null;
    }
    return { ...e.marker };
  }

  async clearAttempt(deliveryId: string): Promise<void> {
    this.markers.delete(deliveryId);
  }
}

/** The marker a send replaces `before` with. */
export function nextMarker(before: AttemptMarker | null | undefined, start: AttemptStart): AttemptMarker {
  return { at: start.at, attempt: start.attempt, firstAt: before?.firstAt ?? start.at };
}
