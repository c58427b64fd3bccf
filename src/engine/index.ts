// The engine's public API: what feeds, stores, bots, the renderer and the web layer may use.
export * from './core/types.js';
export * from './core/rules.js';
export * from './core/errors.js';
export { formatAlertText, formatChange, formatDuration, formatPct, formatPrice, formatScore, formatUtc } from './alerts/format.js';
export { alertId } from './alerts/alert-rules.js';
export { Engine, type EngineDeps, type EngineStats, type EvaluationListener } from './engine.js';
export { ENGINE_DEFAULTS, DETECTOR_NAMES, STATISTICAL_DETECTORS, engineOptions, type EngineOptions, type EngineOptionsInput, type DetectorName } from './options.js';
export { StreamState } from './stream.js';
export { InlineTrainer, BackgroundTrainer } from './trainers.js';
export type { AlertSink } from './ports/alert-sink.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type { RuleSource } from './ports/rule-source.js';
export { StaticRuleSource } from './ports/rule-source.js';
export type { TickSink, IngestOutcome } from './ports/tick-sink.js';
export type { Trainer } from './ports/trainer.js';
export type { ChartPort, AlertChartRequest, RangeChartRequest, VenueSeries, ChartTheme, BarSource } from './ports/chart.js';
export { EngineBarSource } from './bar-source.js';
