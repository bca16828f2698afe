import { AppError, type FieldError } from '@eticket/errors';

export interface Venue {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly capacity: number;
}

export interface CatalogEvent {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly dateTime: Date;
  readonly venue: Venue;
  readonly totalSeats: number;
  readonly availableSeats: number;
  /** Ticket price in minor units of `currency`. */
  readonly priceMinor: number;
  readonly currency: string;
  readonly organizerId: string;
  readonly createdAt: Date;
}

export interface NewEvent {
  readonly name: string;
  readonly description: string;
  readonly dateTime: Date;
  readonly venue: Omit<Venue, 'id'>;
  readonly totalSeats: number;
  readonly priceMinor: number;
  readonly currency: string;
  readonly organizerId: string;
}

export interface EventFilter {
  readonly from?: Date;
  readonly to?: Date;
  readonly text?: string;
  readonly limit: number;
  readonly offset: number;
}

/** Events are put on sale for at most this far ahead; a date beyond it is a typo, not a plan. */
export const MAX_YEARS_AHEAD = 10;

/** ISO 4217 codes the runtime knows (Node ships the full CLDR list). */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isKnownCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

/** The rules a new event must satisfy beyond its shape; throws VALIDATION_FAILED naming every bad field. */
export function assertValidNewEvent(event: NewEvent, now: Date): void {
  const fields: FieldError[] = [];
  if (Number.isNaN(event.dateTime.getTime())) {
    fields.push({ field: 'date_time', message: 'is not a valid date' });
  } else {
    if (event.dateTime.getTime() <= now.getTime()) fields.push({ field: 'date_time', message: 'must be in the future' });
    const latest = new Date(now);
    latest.setUTCFullYear(latest.getUTCFullYear() + MAX_YEARS_AHEAD);
    if (event.dateTime.getTime() > latest.getTime()) fields.push({ field: 'date_time', message: `must be within ${MAX_YEARS_AHEAD} years` });
  }
  if (event.totalSeats > event.venue.capacity) {
    fields.push({ field: 'total_seats', message: `must not exceed the venue capacity (${event.venue.capacity})` });
  }
  if (!isKnownCurrency(event.currency)) fields.push({ field: 'currency', message: 'is not an ISO 4217 currency code' });
  if (event.name.trim() === '') fields.push({ field: 'name', message: 'must not be blank' });
  if (event.venue.name.trim() === '') fields.push({ field: 'venue.name', message: 'must not be blank' });
  if (event.venue.location.trim() === '') fields.push({ field: 'venue.location', message: 'must not be blank' });
  if (fields.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Invalid event: ${fields.map((field) => `${field.field} ${field.message}`).join('; ')}`, { fields });
  }
}

/** A date range whose end precedes its start can match nothing; say so rather than return an empty page. */
export function assertValidRange(from: Date | undefined, to: Date | undefined): void {
  const fields: FieldError[] = [];
  // The schema's date-time format admits a few strings Date cannot represent (e.g. a leap second).
  if (from !== undefined && Number.isNaN(from.getTime())) fields.push({ field: 'from', message: 'is not a valid date' });
  if (to !== undefined && Number.isNaN(to.getTime())) fields.push({ field: 'to', message: 'is not a valid date' });
  if (fields.length === 0 && from !== undefined && to !== undefined && from.getTime() > to.getTime()) fields.push({ field: 'from', message: 'must not be after to' });
  if (fields.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Invalid query: ${fields.map((field) => `${field.field} ${field.message}`).join('; ')}`, { fields });
  }
}
