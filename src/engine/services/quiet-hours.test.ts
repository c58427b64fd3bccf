import { describe, expect, it } from 'vitest';
import { checkQuietHours, QuietHoursClock } from './quiet-hours.js';

describe('quiet hours', () => {
  const clock = new QuietHoursClock();
  const paris = { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' };

  it('GIVEN hours spanning midnight in Paris THEN 23:30 and 06:59 local are quiet and 07:00 is not', () => {
    // August: Paris is UTC+2.
    expect(clock.isQuiet(paris, Date.UTC(2025, 7, 11, 21, 30))).toBe(true);
    expect(clock.isQuiet(paris, Date.UTC(2025, 7, 11, 4, 59))).toBe(true);
    expect(clock.isQuiet(paris, Date.UTC(2025, 7, 11, 5, 0))).toBe(false);
    expect(clock.isQuiet(paris, Date.UTC(2025, 7, 11, 19, 59))).toBe(false);
  });

  it('GIVEN daytime hours THEN only the span itself is quiet, and no quiet hours are never quiet', () => {
    const lunch = { start: '12:00', end: '13:30', timeZone: 'UTC' };
    expect(clock.isQuiet(lunch, Date.UTC(2025, 0, 1, 12, 0))).toBe(true);
    expect(clock.isQuiet(lunch, Date.UTC(2025, 0, 1, 13, 30))).toBe(false);
    expect(clock.isQuiet(undefined, 0)).toBe(false);
  });

  it('follows daylight saving time: 22:30 in New York is quiet in winter and in summer', () => {
    const ny = { start: '22:00', end: '06:00', timeZone: 'America/New_York' };
    expect(clock.isQuiet(ny, Date.UTC(2025, 0, 15, 3, 30))).toBe(true);
    expect(clock.isQuiet(ny, Date.UTC(2025, 6, 15, 2, 30))).toBe(true);
    expect(clock.isQuiet(ny, Date.UTC(2025, 6, 15, 11, 0))).toBe(false);
  });

  it('refuses malformed times, an empty span and unknown zones with a message saying what to type', () => {
    expect(() => checkQuietHours({ start: '7:00', end: '22:00', timeZone: 'UTC' })).toThrow(/HH:MM/);
    expect(() => checkQuietHours({ start: '22:00', end: '22:00', timeZone: 'UTC' })).toThrow(/differ/);
    expect(() => checkQuietHours({ start: '22:00', end: '07:00', timeZone: 'Paris' })).toThrow(/IANA/);
    expect(checkQuietHours({ start: '22:00', end: '07:00', timeZone: 'europe/paris' }).timeZone).toBe('Europe/Paris');
  });
});
