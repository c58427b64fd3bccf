import { bold, encodeAction, lines, mention, plain, rich, type Button, type RichText, type Span } from '../../../commands/framework.js';
import type { OutboundMessage } from '../../engine/ports/destination.js';

/** How long the Snooze button silences a subscription. */
export const SNOOZE_MS = 3_600_000;

/** The range the Chart button draws. */
export const BUTTON_CHART_RANGE = '24h';

/** An alert as a chat message, platform neutral: each adapter renders the text and the buttons. */
export interface AlertMessage {
  text: RichText;
  buttons: Button[][];
}

/**
 * The buttons under one alert: Snooze 1h, Unwatch, Chart 24h, then 👍/👎. Buttons whose action
 * would not fit a platform's callback data are left out (never a broken button).
 */
export function alertButtons(alertId: string): Button[][] {
  const rows: Button[][] = [
    [
      { label: '😴 Snooze 1h', action: { type: 'snooze', alertId } },
      { label: '🔕 Unwatch', action: { type: 'unwatch', alertId } },
      { label: `📈 Chart ${BUTTON_CHART_RANGE}`, action: { type: 'chart', alertId } },
    ],
    [
      { label: '👍', action: { type: 'vote_up', alertId } },
      { label: '👎', action: { type: 'vote_down', alertId } },
    ],
  ];
  return rows.map((r) => r.filter((b) => encodeAction(b.action) !== null)).filter((r) => r.length > 0);
}

/**
 * The message of a delivery: the watchers to notify (shared chats), the `[ALERT]` block with its
 * headline in bold (or the burst summary), and the buttons of a single alert.
 */
export function alertMessage(msg: OutboundMessage, label: (userId: string) => string = () => 'watcher'): AlertMessage {
  const [headline = '', ...rest] = msg.text.split('\n');
  const body: (string | Span | RichText)[] = [];
  if (msg.mentions.length) {
    const who: Span[] = [plain('🔔 ')];
    msg.mentions.forEach((id, i) => who.push(...(i ? [plain(', ')] : []), mention(id, label(id))));
    body.push(who);
  }
  body.push(rich(bold(headline)), ...rest);
  const single = msg.kind === 'alert' && msg.alerts.length === 1 ? msg.alerts[0] : undefined;
  return { text: lines(...body), buttons: single ? alertButtons(single.id) : [] };
}
