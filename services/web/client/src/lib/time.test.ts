import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDateTime, localInputToIso, remainingMs } from './time';

describe('time helpers', () => {
  it('counts a hold down in minutes and seconds, rounding up', () => {
    expect(formatCountdown(600_000)).toBe('10:00');
    expect(formatCountdown(65_001)).toBe('1:06');
    expect(formatCountdown(999)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5)).toBe('0:00');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
  });

  it('never reports negative time left', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(remainingMs('2030-01-01T00:00:10Z', now)).toBe(10_000);
    expect(remainingMs('2029-12-31T23:59:00Z', now)).toBe(0);
  });

  it('formats an instant in the given locale and zone', () => {
    expect(formatDateTime('2031-03-14T19:30:00Z', 'en-GB', 'UTC')).toBe('14 Mar 2031, 19:30');
  });

  it('turns a datetime-local value into an instant', () => {
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('not a date')).toBeUndefined();
    expect(localInputToIso('2031-03-14T19:30')).toBe(new Date(2031, 2, 14, 19, 30).toISOString());
  });
});
