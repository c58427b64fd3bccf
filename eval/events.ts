/**
 * Event-level detection quality on labelled windows: each window is one event, caught when at least
 * one alert is about a bar inside it; each alert about a bar outside every window is one false
 * alert. Several alerts inside one window count once (a user needs one message per event).
 */
import type { AlertPoint } from './engine-run.js';
import type { Window } from './labels.js';

const DAY_MS = 86_400_000;

export interface FileEvents {
  windows: readonly Window[];
  alerts: readonly AlertPoint[];
  /** Alerts about bars before this time are not scored (NAB's probationary period). */
  scoredFrom: number;
  /** End of the file's data. */
  end: number;
  /** Streams in the file (venues of a multi-venue file; default 1): false alerts are per stream-day. */
  streams?: number;
}

export interface EventMetrics {
  events: number;
  caught: number;
  alerts: number;
  falseAlerts: number;
  /** caught / (caught + falseAlerts): of the messages a user would act on, the share that were real. */
  precision: number;
  /** caught / events. */
  recall: number;
  f1: number;
  /** From each caught event's start to its first alert, ms. */
  delayMedianMs: number;
  delayMeanMs: number;
  /** Events caught within `withinMs` of their start, as a share of all events. */
  caughtWithin: number;
  withinMs: number;
  /** Alerts about caught events per caught event: how many messages one event costs a user (1 is ideal). */
  perEvent: number;
  /** Stream-days of scored data, and false alerts per stream-day over all of it. */
  days: number;
  falsePerDay: number;
  /**
   * The most false alerts a follower of one file's symbol got in one day (the file's scored span in
   * whole days from its start; a shorter last day counts as a day): the goal of at most one false
   * alert a day is about every day, not the average.
   */
  worstDayFalse: number;
  /** Share of the files' days with more than one false alert. */
  daysOverOne: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function eventMetrics(files: readonly FileEvents[], withinMs: number): EventMetrics {
  let events = 0;
  let caught = 0;
  let alerts = 0;
  let falseAlerts = 0;
  let within = 0;
  let spanMs = 0;
  let fileDays = 0;
  let worstDayFalse = 0;
  let daysOverOne = 0;
  const delays: number[] = [];
  for (const f of files) {
    spanMs += Math.max(0, f.end - f.scoredFrom) * (f.streams ?? 1);
    const perDay = new Array<number>(Math.max(1, Math.ceil((f.end - f.scoredFrom) / DAY_MS))).fill(0);
    const scored = f.windows.filter((w) => w.end >= f.scoredFrom);
    events += scored.length;
    const first = new Array<number>(scored.length).fill(Infinity);
    for (const a of f.alerts) {
      if (a.barTs < f.scoredFrom) continue;
      alerts++;
      // About a bar that overlaps the window: the bar holding the event's first trade counts.
      const i = scored.findIndex((w) => a.ts > w.start && a.barTs <= w.end);
      if (i < 0) {
        falseAlerts++;
        perDay[Math.min(perDay.length - 1, Math.floor((a.barTs - f.scoredFrom) / DAY_MS))]++;
      } else first[i] = Math.min(first[i], a.ts);
    }
    fileDays += perDay.length;
    for (const k of perDay) {
      if (k > worstDayFalse) worstDayFalse = k;
      if (k > 1) daysOverOne++;
    }
    scored.forEach((w, i) => {
      if (first[i] === Infinity) return;
      caught++;
      const d = Math.max(0, first[i] - w.start);
      delays.push(d);
      if (d <= withinMs) within++;
    });
  }
  const precision = caught + falseAlerts > 0 ? caught / (caught + falseAlerts) : NaN;
  const recall = events > 0 ? caught / events : NaN;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const days = spanMs / DAY_MS;
  return {
    events,
    caught,
    alerts,
    falseAlerts,
    precision,
    recall,
    f1,
    delayMedianMs: median(delays),
    delayMeanMs: delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length : NaN,
    caughtWithin: events > 0 ? within / events : NaN,
    perEvent: caught > 0 ? (alerts - falseAlerts) / caught : NaN,
    withinMs,
    days,
    falsePerDay: days > 0 ? falseAlerts / days : NaN,
    worstDayFalse,
    daysOverOne: fileDays > 0 ? daysOverOne / fileDays : NaN,
  };
}

/** Turns per-bar scores into alerts: a bar at or above `threshold` alerts unless one did within `cooldownMs`. */
export function thresholdAlerts(barTs: ArrayLike<number>, scores: ArrayLike<number>, threshold: number, cooldownMs: number, barMs: number): AlertPoint[] {
  const out: AlertPoint[] = [];
  let last = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (!(scores[i] >= threshold)) continue;
    if (barTs[i] - last < cooldownMs) continue;
    last = barTs[i];
    out.push({ barTs: barTs[i], ts: barTs[i] + barMs });
  }
  return out;
}
