import { UserError } from '../engine/index.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick spacings a person reads easily, smallest first. */
const TICK_STEPS = [
  5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY,
] as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock time in one IANA time zone, through Intl (no date library). */
export class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat;

  /** Throws a `bad_input` UserError for a name that is not an IANA time zone. */
  constructor(readonly timeZone: string) {
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (err) {
      throw new UserError('bad_input', `unknown time zone "${timeZone}": use an IANA name such as UTC or Europe/Berlin`, { timeZone, cause: String(err) });
    }
  }

  /** What the zone's clock shows at `ts`. */
  parts(ts: number): LocalParts {
    const p: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.fmt.formatToParts(ts)) {
      if (part.type in p) p[part.type as keyof LocalParts] = Number(part.value);
    }
    return p;
  }

  /** The zone's offset from UTC at `ts`, in ms (positive east of Greenwich). */
  offsetMs(ts: number): number {
    const p = this.parts(ts);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - (ts - (((ts % SECOND) + SECOND) % SECOND));
  }

  /** `14:52` or `14:52:03`. */
  clock(ts: number, withSeconds: boolean): string {
    const p = this.parts(ts);
    const hm = `${pad2(p.hour)}:${pad2(p.minute)}`;
    return withSeconds ? `${hm}:${pad2(p.second)}` : hm;
  }

  /** `Aug 11` */
  date(ts: number): string {
    const p = this.parts(ts);
    return `${MONTHS[p.month - 1]} ${p.day}`;
  }

  /** `Aug 11 14:52:03 UTC`: the zone's name says which clock the chart speaks. */
  stamp(ts: number): string {
    return `${this.date(ts)} ${this.clock(ts, true)} ${this.timeZone}`;
  }

  /** A number naming the local day, to tell when the date changes between ticks. */
  dayKey(ts: number): number {
    const p = this.parts(ts);
    return (p.year * 100 + p.month) * 100 + p.day;
  }
}

/** One ZoneClock per zone name, kept by each renderer (building an Intl formatter is not free). */
export class ZoneClocks {
  private readonly clocks = new Map<string, ZoneClock>();
  constructor(private readonly max = 64) {}

  get(timeZone: string | undefined): ZoneClock {
    const name = timeZone ?? 'UTC';
    let c = this.clocks.get(name);
    if (!c) {
      c = new ZoneClock(name);
      if (this.clocks.size >= this.max) this.clocks.clear();
      this.clocks.set(name, c);
    }
    return c;
  }
}

/** The smallest readable step that puts at most `maxTicks` ticks on [min, max]. */
export function tickStep(spanMs: number, maxTicks: number): number {
  for (const s of TICK_STEPS) if (spanMs / s <= maxTicks) return s;
  return TICK_STEPS[TICK_STEPS.length - 1]!;
}

/** Tick times on [min, max] at round wall-clock times of the zone (12:00, 12:15, ...). */
export function timeTicks(min: number, max: number, maxTicks: number, zone: ZoneClock): { values: number[]; step: number } {
  const step = tickStep(max - min, maxTicks);
  const values: number[] = [];
  const off0 = zone.offsetMs(min);
  let local = Math.ceil((min + off0) / step) * step;
  for (let guard = 0; guard <= maxTicks + 2; guard++, local += step) {
    // The offset at the tick itself, so that ticks stay on round local times across a DST change.
    const t = local - zone.offsetMs(local - off0);
    if (t > max) break;
    if (t >= min) values.push(t);
  }
  return { values, step };
}

/** Tick labels: time of day, with the date under the first tick and wherever the date changes. */
export function tickLabels(values: readonly number[], step: number, zone: ZoneClock): (string | string[])[] {
  if (step >= DAY) return values.map((v) => zone.date(v));
  const withSeconds = step < MINUTE;
  let lastDay = -1;
  return values.map((v) => {
    const day = zone.dayKey(v);
    const time = zone.clock(v, withSeconds);
    if (day === lastDay) return time;
    lastDay = day;
    return [time, zone.date(v)];
  });
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
