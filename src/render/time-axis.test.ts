import { describe, expect, it } from 'vitest';
import { UserError } from '../engine/index.js';
import { tickLabels, tickStep, timeTicks, ZoneClock, ZoneClocks } from './time-axis.js';

const T = Date.UTC(2025, 7, 11, 14, 7, 30);
const MIN = 60_000;

describe('time axis', () => {
  it('GIVEN an unknown zone THEN a bad_input UserError tells what to use', () => {
    expect(() => new ZoneClock('Atlantis/Capital')).toThrow(UserError);
    expect(() => new ZoneClocks().get('nope')).toThrow(/IANA/);
  });

  it('picks the smallest readable step', () => {
    expect(tickStep(120 * MIN, 8)).toBe(15 * MIN);
    expect(tickStep(5 * MIN, 8)).toBe(MIN);
    expect(tickStep(7 * 24 * 60 * MIN, 8)).toBe(24 * 60 * MIN);
  });

  it('GIVEN UTC THEN ticks fall on round UTC times and read as such', () => {
    const zone = new ZoneClock('UTC');
    const { values, step } = timeTicks(T, T + 120 * MIN, 8, zone);
    expect(step).toBe(15 * MIN);
    expect(values[0]).toBe(Date.UTC(2025, 7, 11, 14, 15));
    expect(tickLabels(values, step, zone).slice(0, 2)).toEqual([['14:15', 'Aug 11'], '14:30']);
  });

  it('GIVEN a half-hour zone THEN ticks fall on round local times', () => {
    const zone = new ZoneClock('Asia/Kolkata');
    const { values, step } = timeTicks(T, T + 6 * 60 * MIN, 8, zone);
    expect(step).toBe(60 * MIN);
    const labels = tickLabels(values, step, zone).map((l) => (Array.isArray(l) ? l[0] : l));
    expect(labels[0]).toBe('20:00');
    expect(labels.every((l) => l!.endsWith(':00'))).toBe(true);
  });

  it('GIVEN ticks across midnight THEN the new date is written under the first tick of the day', () => {
    const zone = new ZoneClock('Europe/Berlin');
    const start = Date.UTC(2025, 7, 11, 19, 0);
    const { values, step } = timeTicks(start, start + 6 * 60 * MIN, 8, zone);
    const labels = tickLabels(values, step, zone);
    expect(labels).toContainEqual(['00:00', 'Aug 12']);
  });

  it('GIVEN a daylight-saving change THEN ticks stay on round local hours', () => {
    const zone = new ZoneClock('Europe/Berlin');
    const start = Date.UTC(2025, 9, 25, 20, 0); // the night clocks go back
    const { values, step } = timeTicks(start, start + 12 * 60 * MIN, 8, zone);
    const labels = tickLabels(values, step, zone).map((l) => (Array.isArray(l) ? l[0] : l));
    expect(labels.every((l) => l!.endsWith(':00'))).toBe(true);
  });

  it('stamps a time with its zone name', () => {
    expect(new ZoneClock('UTC').stamp(T)).toBe('Aug 11 14:07:30 UTC');
    expect(new ZoneClock('America/New_York').stamp(T)).toBe('Aug 11 10:07:30 America/New_York');
  });
});
