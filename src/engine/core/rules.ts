import type { DirectionFilter } from './types.js';

/**
 * One set of alert thresholds. Subscriptions with equal thresholds share a rule (and so its
 * cooldown state): they would see exactly the same alerts.
 */
export interface AlertRule {
  /** Stable id; equal thresholds give an equal id (see ruleId). */
  id: string;
  /** Calibrated ensemble score the bar must reach, in [0, 1]. */
  minScore: number;
  /** Absolute % move required over `moveWindowMs` (0: no move requirement). */
  movePct: number;
  moveWindowMs: number;
  /**
   * The move must also be this many standard deviations of the stream's own per-bar returns,
   * scaled to the time it took (0: no requirement). This is what keeps a volatile but ordinary
   * market quiet: a 1% move means nothing where 1% in five minutes is a normal day.
   */
  minMoveSigma: number;
  direction: DirectionFilter;
  /** Quote volume traded over the move window (0: no requirement). */
  minQuoteVolume: number;
  /** A second alert in the same direction waits this long unless it beats the last alert's extreme. */
  cooldownMs: number;
}

export type Sensitivity = 'low' | 'normal' | 'high';

export const SENSITIVITIES: readonly Sensitivity[] = ['low', 'normal', 'high'];

/** Limits every rule must respect (commands validate user input against these). */
export const RULE_LIMITS = {
  minScore: { min: 0.5, max: 0.999999 },
  movePct: { min: 0, max: 500 },
  moveWindowMs: { min: 1_000, max: 24 * 3_600_000 },
  minMoveSigma: { min: 0, max: 20 },
  cooldownMs: { min: 0, max: 7 * 24 * 3_600_000 },
  minQuoteVolume: { min: 0, max: 1e12 },
} as const;

type RulePreset = Omit<AlertRule, 'id'>;

/**
 * The sensitivity presets. A bar alerts when it is both rare for its own stream (score) and a
 * move that matters in absolute terms (movePct over moveWindowMs).
 */
export const SENSITIVITY_PRESETS: Readonly<Record<Sensitivity, Readonly<RulePreset>>> = {
  high: { minScore: 0.98, movePct: 0.5, moveWindowMs: 5 * 60_000, minMoveSigma: 3.5, direction: 'both', minQuoteVolume: 0, cooldownMs: 10 * 60_000 },
  normal: { minScore: 0.99, movePct: 1, moveWindowMs: 5 * 60_000, minMoveSigma: 4.5, direction: 'both', minQuoteVolume: 0, cooldownMs: 15 * 60_000 },
  low: { minScore: 0.995, movePct: 2, moveWindowMs: 5 * 60_000, minMoveSigma: 5.5, direction: 'both', minQuoteVolume: 0, cooldownMs: 30 * 60_000 },
};

/** The id that equal thresholds share. */
export function ruleId(r: RulePreset): string {
  return [
    `s${r.minScore}`,
    `m${r.movePct}/${r.moveWindowMs}`,
    `z${r.minMoveSigma}`,
    r.direction,
    `v${r.minQuoteVolume}`,
    `c${r.cooldownMs}`,
  ].join(':');
}

export function makeRule(r: RulePreset): AlertRule {
  return { ...r, id: ruleId(r) };
}

export function presetRule(s: Sensitivity, overrides: Partial<RulePreset> = {}): AlertRule {
  return makeRule({ ...SENSITIVITY_PRESETS[s], ...overrides });
}

/** Returns a list of problems (empty when the rule is within RULE_LIMITS). */
export function ruleProblems(r: RulePreset): string[] {
  const out: string[] = [];
  for (const key of Object.keys(RULE_LIMITS) as (keyof typeof RULE_LIMITS)[]) {
    const v = r[key];
    const { min, max } = RULE_LIMITS[key];
    if (!Number.isFinite(v) || v < min || v > max) out.push(`${key} must be between ${min} and ${max}, got ${v}`);
  }
  return out;
}
