import { describe, expect, it } from 'vitest';
import { GROUP, say, testContext, testWorld } from '../../../commands/testing.js';
import { makeAlert } from '../../../test/store/conformance.js';
import { executeAction } from './actions.js';
import { SNOOZE_MS } from './alert-message.js';

async function world() {
  const w = testWorld();
  const alert = makeAlert({ ts: w.clock.t });
  await w.alerts.record(alert);
  return { w, alert };
}

describe('executeAction', () => {
  it('GIVEN Snooze on a watched pair THEN the watch is muted for the snooze time', async () => {
    const { w, alert } = await world();
    await say(w, '/watch BTC/USDT');
    const out = await executeAction(`sz:${alert.id}`, testContext(w));
    expect(out.toast).toBe('BTC/USDT snoozed for 1 hour, until 2025-08-11 13:00 UTC');
    expect((await w.store.allSubscriptions())[0]?.mutedUntil).toBe(w.clock.t + SNOOZE_MS);
  });

  it('GIVEN Snooze on a group feed THEN an admin mutes the feed and a member is refused', async () => {
    const { w, alert } = await world();
    await say(w, '/feed BTC/USDT', testContext(w, 'admin', GROUP, true));
    const refused = await executeAction(`sz:${alert.id}`, testContext(w, 'member', GROUP, false));
    expect(refused).toEqual({ toast: "This is a channel feed of BTC/USDT; only the chat's admins can change it", alert: true });
    expect((await executeAction(`sz:${alert.id}`, testContext(w, 'admin', GROUP, true))).toast).toContain('snoozed');
    expect((await w.store.allSubscriptions())[0]?.mutedUntil).toBe(w.clock.t + SNOOZE_MS);
  });

  it('GIVEN votes THEN one per user is kept and the tally is shown', async () => {
    const { w, alert } = await world();
    await executeAction(`up:${alert.id}`, testContext(w, 'a'));
    await executeAction(`up:${alert.id}`, testContext(w, 'b'));
    expect((await executeAction(`dn:${alert.id}`, testContext(w, 'a'))).toast).toBe('Thanks for the feedback (👍 1 · 👎 1)');
  });

  it('GIVEN a forgotten alert or unreadable data THEN the toast says what to do instead', async () => {
    const w = testWorld();
    expect(await executeAction('sz:gone', testContext(w))).toEqual({ toast: 'That alert is too old for its buttons; use the commands instead', alert: true });
    expect((await executeAction('???', testContext(w))).alert).toBe(true);
  });

  it('GIVEN Chart with no data THEN the toast says so instead of a chart', async () => {
    const { w, alert } = await world();
    const out = await executeAction(`ch:${alert.id}`, testContext(w));
    expect(out.reply).toBeUndefined();
    expect(out.toast).toBe('No price data for BTC/USDT in the last 24h yet');
  });
});
