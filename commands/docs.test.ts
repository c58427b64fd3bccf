import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_LIMITS } from '../src/engine/index.js';
import { HISTORY_MAX } from '../src/engine/services/alerts.js';
import { MUTE_LIMITS } from '../src/engine/services/subscriptions.js';
import { SNOOZE_MS } from '../src/bot/shared/alert-message.js';
import { COMMAND_RATE_LIMITS } from '../src/bot/shared/rate-limit.js';
import { COMMANDS, usage } from './index.js';
import { exactDuration } from './format.js';
import { PREVIEW_SPAN_MS } from './preview.js';

const doc = readFileSync(new URL('../docs/commands.md', import.meta.url), 'utf8');

describe('docs/commands.md', () => {
  it('shows every command with its exact usage line and every example', () => {
    for (const c of COMMANDS) {
      expect(doc, c.name).toContain(`\`${usage(c)}\``);
      for (const e of c.examples) expect(doc, e).toContain(`\`/${e}\``);
    }
  });

  it('states the limits the code enforces', () => {
    const row = (name: string) => doc.split('\n').find((l) => l.startsWith(`| ${name} |`)) ?? '';
    expect(row('move threshold')).toContain(`${RULE_LIMITS.movePct.min}% to ${RULE_LIMITS.movePct.max}%`);
    expect(row('window')).toContain(`${exactDuration(RULE_LIMITS.moveWindowMs.min)} to ${exactDuration(RULE_LIMITS.moveWindowMs.max)}`);
    expect(row('score')).toContain(`${RULE_LIMITS.minScore.min} to ${RULE_LIMITS.minScore.max}`);
    expect(row('cooldown')).toContain(`${RULE_LIMITS.cooldownMs.min} to ${exactDuration(RULE_LIMITS.cooldownMs.max)}`);
    expect(row('mute')).toContain(`${exactDuration(MUTE_LIMITS.minMs)} to ${exactDuration(MUTE_LIMITS.maxMs)}`);
    expect(row('history')).toContain(`1 to ${HISTORY_MAX} alerts`);
    const { light, render } = COMMAND_RATE_LIMITS;
    expect(row('commands per person')).toContain(`bursts of ${light.burst}, then ${light.perMinute} a minute`);
    expect(row('charts per person (chart, preview, Chart 24h)')).toContain(`bursts of ${render.burst}, then ${render.perMinute} a minute`);
    expect(row('snooze')).toContain(exactDuration(SNOOZE_MS));
    expect(row('preview span')).toContain(`${PREVIEW_SPAN_MS / 3_600_000} hours`);
  });
});
