import { describe, expect, it } from 'vitest';
import { assertValidNewEvent, assertValidRange, isKnownCurrency, type NewEvent } from './event';

/** What `work` throws, for matching its fields. */
function thrown(work: () => void): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

const now = new Date('2030-01-01T12:00:00Z');
const valid: NewEvent = {
  name: 'Concert',
  description: 'Loud',
  dateTime: new Date('2030-06-01T19:00:00Z'),
  venue: { name: 'Arena', location: 'Chisinau', capacity: 100 },
  totalSeats: 100,
  priceMinor: 2500,
  currency: 'EUR',
  organizerId: '00000000-0000-4000-8000-000000000001',
};

describe('new event rules', () => {
  it('accepts an event in the future with seats up to the venue capacity', () => {
    expect(() => assertValidNewEvent(valid, now)).not.toThrow();
  });

  it.each<[string, Partial<NewEvent>, string]>([
    ['a start in the past', { dateTime: new Date('2029-12-31T00:00:00Z') }, 'date_time'],
    ['a start exactly now', { dateTime: now }, 'date_time'],
    ['a start more than 10 years ahead', { dateTime: new Date('2040-01-02T00:00:00Z') }, 'date_time'],
    ['an unrepresentable date', { dateTime: new Date('nonsense') }, 'date_time'],
    ['more seats than the venue holds', { totalSeats: 101 }, 'total_seats'],
    ['an unknown currency', { currency: 'ZZZ' }, 'currency'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a blank venue location', { venue: { name: 'Arena', location: ' ', capacity: 100 } }, 'venue.location'],
  ])('refuses %s, naming the field', (_case, change, field) => {
    expect(thrown(() => assertValidNewEvent({ ...valid, ...change }, now))).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field }] });
  });

  it('knows ISO 4217 codes', () => {
    expect(['EUR', 'USD', 'MDL', 'JPY'].every(isKnownCurrency)).toBe(true);
    expect(isKnownCurrency('EURO')).toBe(false);
  });

  it('refuses a date range whose start is after its end', () => {
    expect(thrown(() => assertValidRange(new Date('2030-02-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z')))).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'from', message: 'must not be after to' }] });
    expect(() => assertValidRange(new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'))).not.toThrow();
    expect(thrown(() => assertValidRange(new Date('2030-01-01T23:59:60Z'), undefined))).toMatchObject({ fields: [{ field: 'from', message: 'is not a valid date' }] });
  });
});
