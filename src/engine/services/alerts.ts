import { UserError } from '../core/errors.js';
import type { AlertEvent } from '../core/types.js';
import type { AlertRetention, AlertStore, FeedbackTally, Vote } from '../ports/store.js';

/** How much alert history to keep, unless config says otherwise. */
export const ALERT_RETENTION_DEFAULTS: AlertRetention = { historyPerStream: 200, ttlMs: 7 * 24 * 3_600_000 };

/** Most alerts one history answer lists. */
export const HISTORY_MAX = 50;

/** Alert history and feedback, for the `history` command and the 👍/👎 buttons. */
export class AlertLog {
  constructor(
    private readonly store: AlertStore,
    readonly retention: AlertRetention = ALERT_RETENTION_DEFAULTS,
  ) {}

  record(alert: AlertEvent): Promise<boolean> {
    return this.store.recordAlert(alert, this.retention);
  }

  get(id: string): Promise<AlertEvent | null> {
    return this.store.getAlert(id);
  }

  /** Newest first. */
  async history(symbol: string, limit = 10, venue?: string): Promise<AlertEvent[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX) {
      throw new UserError('out_of_range', `history shows between 1 and ${HISTORY_MAX} alerts, got ${limit}`, { field: 'limit', min: 1, max: HISTORY_MAX, value: limit });
    }
    return this.store.recentAlerts(symbol, limit, venue);
  }

  /** One vote per voter (`<platform>:<user id>`); a new vote replaces the old, null withdraws it. */
  async vote(alertId: string, voter: string, vote: Vote | null): Promise<FeedbackTally> {
    if (!(await this.store.getAlert(alertId))) {
      throw new UserError('not_found', 'that alert is too old to rate', { alertId });
    }
    return this.store.setFeedback(alertId, voter, vote, this.retention.ttlMs);
  }

  feedback(alertId: string): Promise<FeedbackTally> {
    return this.store.getFeedback(alertId);
  }
}
