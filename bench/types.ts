/**
 * A benchmark section: each area of the product (engine, ingestion, store, render, ...) exports
 * one `run` function that returns its measures; bench/run.ts prints them as one table and as JSON.
 */
export interface Measure {
  /** Stable key for --json, naming the measure and its unit, e.g. `engine.stat.ticks_per_s`. */
  key: string;
  /** What a person reads in the table. */
  label: string;
  value: number;
  unit: string;
  /** The goal, when the issue sets one, e.g. `>= 1000000`. */
  goal?: string;
  /** An anchor measured elsewhere, for comparison, e.g. `BullMQ drains ~14,000/s`. */
  anchor?: string;
}

export interface BenchSection {
  name: string;
  measures: Measure[];
  notes?: string[];
}

export interface BenchOptions {
  /** Shorter runs (CI smoke); full runs otherwise. */
  quick: boolean;
}

export type BenchRunner = (opts: BenchOptions) => Promise<BenchSection>;
