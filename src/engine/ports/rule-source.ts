import type { AlertRule } from '../core/rules.js';

/**
 * Which alert rules apply to a stream (the distinct thresholds of everyone watching it, plus the
 * operator's defaults). `version` changes whenever any answer may have changed, so that the
 * engine can cache answers per stream.
 */
export interface RuleSource {
  readonly version: number;
  rulesFor(venue: string, symbol: string): readonly AlertRule[];
}

/** The same rules for every stream. */
export class StaticRuleSource implements RuleSource {
  version = 0;
  constructor(private rules: readonly AlertRule[]) {}
  rulesFor(): readonly AlertRule[] {
    return this.rules;
  }
  set(rules: readonly AlertRule[]): void {
    this.rules = rules;
    this.version++;
  }
}
