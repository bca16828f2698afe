import { describe, expect, it } from 'vitest';
import { advances, compareMarks, laterMark, windowFor } from './window';

const at = (iso: string) => new Date(iso);

describe('windowFor', () => {
  const now = at('2030-01-01T12:00:00Z');

  it('reads from the beginning when there is no mark yet, or on a full run', () => {
    expect(windowFor(null, 60_000, now, false)).toEqual({ from: null, to: now });
    expect(windowFor({ ts: at('2030-01-01T11:00:00Z'), id: 'a' }, 60_000, now, true)).toEqual({ from: null, to: now });
  });

  it('starts the overlap before the mark and ends at the run start', () => {
    expect(windowFor({ ts: at('2030-01-01T11:00:00Z'), id: 'a' }, 120_000, now, false)).toEqual({ from: at('2030-01-01T10:58:00Z'), to: now });
  });

  it('never starts after the run (a mark in the future, from a clock ahead, still reads up to now)', () => {
    expect(windowFor({ ts: at('2030-01-01T13:00:00Z'), id: 'a' }, 0, now, false).from).toEqual(now);
  });
});

describe('marks', () => {
  const early = { ts: at('2030-01-01T10:00:00Z'), id: 'b' };
  const sameTimeLaterId = { ts: at('2030-01-01T10:00:00Z'), id: 'c' };
  const late = { ts: at('2030-01-01T11:00:00Z'), id: 'a' };

  it('orders by timestamp, then by id', () => {
    expect(compareMarks(early, late)).toBeLessThan(0);
    expect(compareMarks(sameTimeLaterId, early)).toBeGreaterThan(0);
    expect(compareMarks(early, { ...early })).toBe(0);
  });

  it('keeps the later mark and never moves back', () => {
    expect(laterMark(null, early)).toBe(early);
    expect(laterMark(late, early)).toBe(late);
    expect(laterMark(early, sameTimeLaterId)).toBe(sameTimeLaterId);
    expect(laterMark(early, null)).toBe(early);
  });

  it('writes a mark only when it moves forward', () => {
    expect(advances(null, early)).toBe(true);
    expect(advances(early, { ...early })).toBe(false);
    expect(advances(late, early)).toBe(false);
    expect(advances(early, null)).toBe(false);
  });
});
