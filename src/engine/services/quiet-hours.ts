import { UserError } from '../core/errors.js';
import type { QuietHours } from '../ports/store.js';

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  const m = CLOCK_TIME.exec(hhmm);
  if (!m) throw new UserError('bad_input', `"${hhmm}" is not a time of day; use HH:MM, e.g. 22:30`, { value: hhmm });
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Checks quiet hours as a user typed them; returns them normalised or throws a UserError. */
export function checkQuietHours(q: QuietHours): QuietHours {
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) throw new UserError('bad_input', 'quiet hours need a start and an end that differ, e.g. 22:00-07:00', { start: q.start, end: q.end });
  try {
    const timeZone = new Intl.DateTimeFormat('en-US', { timeZone: q.timeZone }).resolvedOptions().timeZone;
    return { start: q.start, end: q.end, timeZone };
  } catch {
    throw new UserError('bad_input', `unknown time zone "${q.timeZone}"; use an IANA name such as Europe/Paris or America/New_York`, {
      timeZone: q.timeZone,
    });
  }
}

/**
 * Answers "is it quiet there now?" for many subscriptions. Holds one formatter per time zone
 * (they are costly to build), so make one per fan-out or per process, not per call.
 */
export class QuietHoursClock {
  private readonly formatters = new Map<string, Intl.DateTimeFormat>();

  /** Minutes since local midnight in the zone. */
  localMinutes(ts: number, timeZone: string): number {
    let f = this.formatters.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      this.formatters.set(timeZone, f);
    }
    let h = 0;
    let m = 0;
    for (const p of f.formatToParts(ts)) {
      if (p.type === 'hour') h = Number(p.value);
      else if (p.type === 'minute') m = Number(p.value);
    }
    return h * 60 + m;
  }

  /** True when ts falls inside the quiet hours (start inclusive, end exclusive; may span midnight). */
  isQuiet(q: QuietHours | undefined, ts: number): boolean {
    if (!q) return false;
    const start = minutesOf(q.start);
    const end = minutesOf(q.end);
    const now = this.localMinutes(ts, q.timeZone);
    return start < end ? now >= start && now < end : now >= start || now < end;
  }
}
