import type { AlertRule } from '../core/rules.js';
import { presetRule } from '../core/rules.js';
import type { AlertEvent, Evaluation, Tick } from '../core/types.js';
import { copyEvaluation } from '../core/types.js';
import { Engine } from '../engine.js';
import type { EngineOptionsInput } from '../options.js';
import { StaticRuleSource } from '../ports/rule-source.js';
import { InlineTrainer } from '../trainers.js';

export interface Run {
  engine: Engine;
  alerts: AlertEvent[];
  evaluations: Evaluation[];
}

/** An engine with an inline trainer, a clock that follows the ticks, and array sinks. */
export function testEngine(rules: AlertRule[] = [presetRule('normal')], options: EngineOptionsInput = {}, keepEvaluations = false): Run & { now: { t: number } } {
  const now = { t: 0 };
  const alerts: AlertEvent[] = [];
  const evaluations: Evaluation[] = [];
  const engine = new Engine({
    options,
    clock: { now: () => now.t },
    rules: new StaticRuleSource(rules),
    sink: { publish: (a) => void alerts.push(a) },
    trainer: new InlineTrainer(),
  });
  if (keepEvaluations) engine.onEvaluation((ev) => void evaluations.push(copyEvaluation(ev)));
  return { engine, alerts, evaluations, now };
}

/** Feeds ticks in order (the clock follows them) and flushes at the end. */
export function replay(ticks: readonly Tick[], rules?: AlertRule[], options?: EngineOptionsInput, keepEvaluations = false): Run {
  const run = testEngine(rules, options, keepEvaluations);
  for (const t of ticks) {
    run.now.t = t.ts;
    run.engine.ingest(t);
  }
  run.engine.flush();
  return run;
}
