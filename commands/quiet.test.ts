import { describe, expect, it } from 'vitest';
import { say, testWorld } from './testing.js';

describe('/quiet', () => {
  it('GIVEN hours and a time zone THEN every watch keeps them; quiet off clears them', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT');
    expect((await say(w, '/quiet 22:00-7:00 Europe/Paris')).text).toContain('Quiet hours 22:00-07:00 Europe/Paris: only high-severity alerts');
    expect((await w.store.allSubscriptions())[0]?.quiet).toEqual({ start: '22:00', end: '07:00', timeZone: 'Europe/Paris' });
    await say(w, '/quiet off');
    expect((await w.store.allSubscriptions())[0]?.quiet).toBeUndefined();
  });

  it('GIVEN a bad time or zone THEN the reply says what is expected', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT');
    expect((await say(w, '/quiet 25:00-07:00')).text).toContain('"25:00" is not a time of day');
    expect((await say(w, '/quiet 22:00-07:00 Mars/Olympus')).text).toContain('Unknown time zone "Mars/Olympus"; use an IANA name');
  });
});
