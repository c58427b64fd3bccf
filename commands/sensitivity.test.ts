import { describe, expect, it } from 'vitest';
import { SENSITIVITY_PRESETS } from '../src/engine/index.js';
import { say, testWorld } from './testing.js';

describe('/sensitivity', () => {
  it('GIVEN watches with custom thresholds THEN a level resets all of them (or one pair) to its preset', async () => {
    const w = testWorld();
    await say(w, '/watch BTC/USDT 3%');
    await say(w, '/watch ETH/USDT 4%');
    expect((await say(w, '/sensitivity low ETH/USDT')).text).toMatch(/^Sensitivity low for ETH\/USDT: 2% in 5 minutes/);
    await say(w, '/sensitivity high');
    for (const s of await w.store.allSubscriptions()) expect(s.thresholds).toEqual(SENSITIVITY_PRESETS.high);
    expect((await say(w, '/sensitivity extreme')).text).toContain('Level must be low, normal or high, got "extreme"');
  });
});
