import { describe, expect, it } from 'vitest';
import { GaussianBaseline, PctMoveBaseline, PumpBaseline } from '../../eval/baselines.js';
import { eventMetrics, thresholdAlerts } from '../../eval/events.js';

describe('baselines', () => {
  it("the gaussian baseline gives NAB windowedGaussian's published scores on the first rows of ec2_cpu_utilization_fe7f93", () => {
    // numenta/NAB results/windowedGaussian/realAWSCloudwatch/windowedGaussian_ec2_cpu_utilization_fe7f93.csv
    const values = [2.296, 2.144, 2.274, 2.066, 2.35];
    const published = [0.0, 1.0, 0.761311091039, 0.994832349958, 0.949607703293];
    const g = new GaussianBaseline('series');
    values.forEach((v, i) => expect(g.update({ ts: i, close: v, volume: 0 })).toBeCloseTo(published[i], 7));
  });

  it('the percentage-move baseline alerts at a 1% move within its window, not at 0.5%', () => {
    const b = new PctMoveBaseline('price');
    expect(b.update({ ts: 0, close: 100, volume: 1 })).toBe(0);
    expect(b.update({ ts: 1000, close: 100.5, volume: 1 })).toBeLessThan(b.alertScore);
    expect(b.update({ ts: 2000, close: 101.01, volume: 1 })).toBeGreaterThanOrEqual(b.alertScore);
  });

  it('the pump baseline needs both the price and the volume far above their rolling means', () => {
    const feed = (b: PumpBaseline, volume: number, close: number) => {
      for (let s = 0; s < 600; s++) b.update({ ts: s * 1000, close: 100, volume: 10 });
      return b.update({ ts: 600_000, close, volume });
    };
    expect(feed(new PumpBaseline('price'), 1000, 102)).toBeGreaterThanOrEqual(new PumpBaseline('price').alertScore);
    expect(feed(new PumpBaseline('price'), 1000, 100.2)).toBeLessThan(new PumpBaseline('price').alertScore);
    expect(feed(new PumpBaseline('price'), 10, 102)).toBeLessThan(new PumpBaseline('price').alertScore);
  });
});

describe('event metrics', () => {
  const H = 3_600_000;
  const windows = [
    { start: 10 * H, end: 11 * H },
    { start: 20 * H, end: 21 * H },
  ];

  it('GIVEN two alerts in one window, one false alert and one missed window THEN each window counts once', () => {
    const alerts = [
      { barTs: 10 * H + 30_000, ts: 10 * H + 31_000 },
      { barTs: 10 * H + 90_000, ts: 10 * H + 91_000 },
      { barTs: 5 * H, ts: 5 * H + 1000 },
    ];
    const m = eventMetrics([{ windows, alerts, scoredFrom: 0, end: 24 * H }], 60_000);
    expect(m).toMatchObject({ events: 2, caught: 1, alerts: 3, falseAlerts: 1, precision: 0.5, recall: 0.5, delayMedianMs: 31_000, caughtWithin: 0.5, perEvent: 2, days: 1, falsePerDay: 1 });
    expect(m.f1).toBeCloseTo(0.5, 12);
  });

  it('alerts before the scored period are ignored', () => {
    const m = eventMetrics([{ windows, alerts: [{ barTs: H, ts: H }], scoredFrom: 2 * H, end: 26 * H }], 60_000);
    expect(m.alerts).toBe(0);
    expect(m.falseAlerts).toBe(0);
  });

  it("GIVEN an alert about the bar that holds a window's first trade THEN it is inside the window; the bar before is not", () => {
    const w = [{ start: 10 * H + 38, end: 11 * H }];
    const inside = eventMetrics([{ windows: w, alerts: [{ barTs: 10 * H, ts: 10 * H + 1000 }], scoredFrom: 0, end: 24 * H }], 60_000);
    expect(inside).toMatchObject({ caught: 1, falseAlerts: 0 });
    const before = eventMetrics([{ windows: w, alerts: [{ barTs: 10 * H - 1000, ts: 10 * H }], scoredFrom: 0, end: 24 * H }], 60_000);
    expect(before).toMatchObject({ caught: 0, falseAlerts: 1 });
  });

  it('GIVEN a file of four venues THEN its day counts as four stream-days', () => {
    const m = eventMetrics([{ windows: [], alerts: [{ barTs: H, ts: H + 1000 }], scoredFrom: 0, end: 24 * H, streams: 4 }], 60_000);
    expect(m).toMatchObject({ days: 4, falsePerDay: 0.25 });
  });

  it('GIVEN three false alerts on one day of a two-day file and one on the other THEN the worst day counts three and one day of two is over the goal', () => {
    const alerts = [1, 2, 3, 30].map((h) => ({ barTs: h * H, ts: h * H + 1000 }));
    const m = eventMetrics([{ windows: [], alerts, scoredFrom: 0, end: 48 * H }], 60_000);
    expect(m).toMatchObject({ falseAlerts: 4, days: 2, falsePerDay: 2, worstDayFalse: 3, daysOverOne: 0.5 });
  });

  it('GIVEN alerts inside windows THEN they are not false alerts of any day', () => {
    const m = eventMetrics([{ windows, alerts: [{ barTs: 10 * H + 1, ts: 10 * H + 2 }, { barTs: 20 * H + 1, ts: 20 * H + 2 }], scoredFrom: 0, end: 24 * H }], 60_000);
    expect(m).toMatchObject({ worstDayFalse: 0, daysOverOne: 0 });
  });

  it('threshold alerts respect the cooldown', () => {
    const ts = [0, 1000, 2000, 70_000];
    expect(thresholdAlerts(ts, [1, 1, 0, 1], 0.5, 60_000, 1000).map((a) => a.barTs)).toEqual([0, 70_000]);
  });
});
