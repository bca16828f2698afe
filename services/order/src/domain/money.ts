import { AppError } from '@eticket/errors';

/** An amount in minor units (cents) of an ISO 4217 currency; never a float. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

/** unit price x quantity, refusing a product that would not be an exact integer. */
export function multiply(unit: Money, quantity: number): Money {
  const amountMinor = unit.amountMinor * quantity;
  if (!Number.isSafeInteger(unit.amountMinor) || !Number.isSafeInteger(quantity) || !Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new AppError('INTERNAL', `Cannot price ${quantity} x ${unit.amountMinor} ${unit.currency}`);
  }
  return { amountMinor, currency: unit.currency };
}

/** Parses the int64 the User Service sends as a decimal string (proto-loader `longs: String`). */
export function parseMinor(value: string | number): number {
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new AppError('INTERNAL', `Invalid price from the User Service: ${String(value)}`);
  return parsed;
}

const fractionDigits = new Map<string, number>();

/** Minor-unit digits of a currency (2 for EUR, 0 for JPY), from the runtime's CLDR data, cached: building a NumberFormat is slow. */
function digitsOf(currency: string): number {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    fractionDigits.set(currency, digits);
  }
  return digits;
}

export function formatMoney(money: Money): string {
  const digits = digitsOf(money.currency);
  return `${(money.amountMinor / 10 ** digits).toFixed(digits)} ${money.currency}`;
}
