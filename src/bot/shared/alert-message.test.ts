import { describe, expect, it } from 'vitest';
import { plainText } from '../../../commands/framework.js';
import { formatAlertText } from '../../engine/index.js';
import type { OutboundMessage } from '../../engine/ports/destination.js';
import { makeAlert } from '../../../test/store/conformance.js';
import { alertButtons, alertMessage } from './alert-message.js';

const alert = makeAlert();
const msg = (over: Partial<OutboundMessage> = {}): OutboundMessage => ({
  deliveryId: 'd1',
  to: { platform: 'telegram', chatId: '-5', chatType: 'group' },
  kind: 'alert',
  alerts: [alert],
  text: formatAlertText(alert),
  mentions: [],
  ...over,
});

describe('alertMessage', () => {
  it('GIVEN one alert THEN the text is the [ALERT] block with a bold headline, and it has the five buttons', () => {
    const m = alertMessage(msg());
    expect(plainText(m.text)).toBe(formatAlertText(alert));
    expect(m.text[0]).toEqual({ style: 'bold', text: '[ALERT] BTC/USDT anomaly detected!' });
    expect(m.buttons.map((r) => r.map((b) => b.action.type))).toEqual([['snooze', 'unwatch', 'chart'], ['vote_up', 'vote_down']]);
  });

  it('GIVEN watchers in a shared chat THEN they are mentioned first; GIVEN a burst THEN there are no per-alert buttons', () => {
    const m = alertMessage(msg({ mentions: ['11', '12'] }), (id) => `user${id}`);
    expect(plainText(m.text).split('\n')[0]).toBe('🔔 user11, user12');
    expect(m.text.filter((s) => s.style === 'mention').map((s) => s.userId)).toEqual(['11', '12']);
    expect(alertMessage(msg({ kind: 'burst', text: '[MARKET-WIDE MOVE] 2 pairs\nA\nB' })).buttons).toEqual([]);
  });

  it('GIVEN an alert id too long for callback data THEN its buttons are left out rather than broken', () => {
    expect(alertButtons('x'.repeat(70))).toEqual([]);
  });
});
