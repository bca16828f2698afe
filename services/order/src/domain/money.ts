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

export function formatMoney(money: Money): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(money.amountMinor / 10 ** digits).toFixed(digits)} ${money.currency}`;
}
