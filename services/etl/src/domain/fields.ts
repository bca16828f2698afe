import { isStorable } from './raw';

// Field checks for source rows and documents. A reader collects every
// problem of a record instead of stopping at the first, so the quarantine
// says all that is wrong with it at once.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURRENCY = /^[A-Z]{3}$/;

/** The largest amount accepted in minor units: 2^53 - 1, beyond which a JavaScript number is not exact. */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER;

export type Validated<T> = { readonly ok: true; readonly row: T } | { readonly ok: false; readonly reason: string };

const describe = (value: unknown): string => {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : 'a date';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
};

export class FieldReader {
  private readonly problems: string[] = [];

  constructor(private readonly record: Readonly<Record<string, unknown>>) {}

  private fail(field: string, expected: string): void {
    this.problems.push(`${field}: expected ${expected}, got ${describe(this.record[field])}`);
  }

  /** A problem that involves more than one field. */
  problem(message: string): void {
    this.problems.push(message);
  }

  has(field: string): boolean {
    const value = this.record[field];
    return value !== undefined && value !== null;
  }

  uuid(field: string): string {
    const value = this.record[field];
    if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase();
    this.fail(field, 'a UUID');
    return '';
  }

  text(field: string, maxLength: number, options: { minLength?: number } = {}): string {
    const value = this.record[field];
    if (typeof value === 'string' && value.length >= (options.minLength ?? 0) && value.length <= maxLength && isStorable(value)) return value;
    this.fail(field, `text of ${options.minLength ?? 0} to ${maxLength} storable characters`);
    return '';
  }

  /** Text or absent (undefined and null both read as null). */
  optionalText(field: string, maxLength: number): string | null {
    return this.has(field) ? this.text(field, maxLength) : null;
  }

  optionalUuid(field: string): string | null {
    return this.has(field) ? this.uuid(field) : null;
  }

  int(field: string, min: number, max: number): number {
    const value = this.record[field];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value;
    this.fail(field, `an integer from ${min} to ${max}`);
    return 0;
  }

  /** Money in minor units: a non-negative exact integer, as a number or (PostgreSQL bigint) a decimal string. */
  minor(field: string): number {
    const value = this.record[field];
    const parsed = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
    if (typeof parsed === 'number' && Number.isSafeInteger(parsed) && parsed >= 0 && parsed <= MAX_MINOR) return parsed;
    this.fail(field, 'a non-negative integer amount in minor units');
    return 0;
  }

  currency(field: string): string {
    const value = this.record[field];
    if (typeof value === 'string' && CURRENCY.test(value)) return value;
    this.fail(field, 'an ISO 4217 code (three capital letters)');
    return '';
  }

  date(field: string): Date {
    const value = this.record[field];
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
    this.fail(field, 'a date');
    return new Date(0);
  }

  optionalDate(field: string): Date | null {
    return this.has(field) ? this.date(field) : null;
  }

  oneOf<const T extends string>(field: string, allowed: readonly T[]): T {
    const value = this.record[field];
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(field, `one of ${allowed.join(', ')}`);
    return allowed[0] as T;
  }

  optionalOneOf<const T extends string>(field: string, allowed: readonly T[]): T | null {
    return this.has(field) ? this.oneOf(field, allowed) : null;
  }

  textArray<const T extends string>(field: string, allowed: readonly T[]): T[] {
    const value = this.record[field];
    if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && (allowed as readonly string[]).includes(item))) {
      return value as T[];
    }
    this.fail(field, `a non-empty list of ${allowed.join(', ')}`);
    return [];
  }

  /** The row built from the fields read, or every problem found. */
  result<T>(row: T): Validated<T> {
    return this.problems.length === 0 ? { ok: true, row } : { ok: false, reason: this.problems.join('; ') };
  }
}

/** A timestamp usable for the watermark, or null when the field is missing or malformed. */
export function timestampOf(record: Readonly<Record<string, unknown>>, field: string): Date | null {
  const value = record[field];
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}
