/** Argument specs and schemas several commands share, so that they read and check alike. */
import { z } from 'zod';
import { RULE_LIMITS } from '../src/engine/index.js';
import type { Thresholds } from '../src/engine/ports/store.js';
import { argSchemas, rangeNumber, type ArgSpec } from './framework.js';
import { exactDuration } from './format.js';

export const PAIR_ARG: ArgSpec = { name: 'pair', kind: 'pair', description: 'the pair, e.g. BTC/USDT', required: true, autocomplete: 'symbols' };
export const VENUE_ARG: ArgSpec = { name: 'venue', kind: 'venue', description: 'one venue only, e.g. binance (default: any venue)' };
export const THRESHOLD_ARG: ArgSpec = { name: 'threshold', kind: 'percent', label: 'threshold%', description: 'the move that alerts, in %' };
export const WINDOW_ARG: ArgSpec = { name: 'window', kind: 'duration', description: 'the time the move must happen in, e.g. 5m' };
export const DIRECTION_ARG: ArgSpec = { name: 'direction', kind: 'direction', description: 'up, down or both (default both)' };

const limit = RULE_LIMITS;

/** Schemas of the threshold arguments, with the allowed ranges in their messages. */
export const thresholdSchemas = {
  threshold: rangeNumber(limit.movePct.min, limit.movePct.max, '%'),
  window: rangeNumber(limit.moveWindowMs.min, limit.moveWindowMs.max, '', exactDuration),
  score: rangeNumber(limit.minScore.min, limit.minScore.max),
  cooldown: rangeNumber(limit.cooldownMs.min, limit.cooldownMs.max, '', (ms) => (ms === 0 ? '0' : exactDuration(ms))),
  direction: argSchemas.direction,
};

/** The pair with an optional venue: the head of most commands' schemas. */
export const pairSchema = { pair: argSchemas.pair, venue: argSchemas.venue.optional() };

export interface ThresholdArgs {
  threshold?: number | undefined;
  window?: number | undefined;
  direction?: Thresholds['direction'] | undefined;
  score?: number | undefined;
  cooldown?: number | undefined;
}

/** Argument values as threshold changes (only what was given). */
export function thresholdChanges(a: ThresholdArgs): Partial<Thresholds> {
  const out: Partial<Thresholds> = {};
  if (a.threshold !== undefined) out.movePct = a.threshold;
  if (a.window !== undefined) out.moveWindowMs = a.window;
  if (a.direction !== undefined) out.direction = a.direction;
  if (a.score !== undefined) out.minScore = a.score;
  if (a.cooldown !== undefined) out.cooldownMs = a.cooldown;
  return out;
}

export const optionalThresholdSchema = z.object({
  threshold: thresholdSchemas.threshold.optional(),
  window: thresholdSchemas.window.optional(),
  direction: thresholdSchemas.direction.optional(),
});
