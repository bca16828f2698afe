// Prices travel as integers in minor units of an ISO 4217 currency (cents
// for EUR, yen for JPY, fils for KWD). The number of minor digits is the
// currency's, which Intl knows: no table of our own to keep up to date.

const digitsCache = new Map<string, number>();

/** Minor-unit digits of a currency: 2 for EUR, 0 for JPY, 3 for KWD. */
export function currencyDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  digitsCache.set(currency, digits);
  return digits;
}

/** `formatMoney(2500, 'EUR', 'en-US')` → "€25.00"; `formatMoney(2500, 'JPY', 'en-US')` → "¥2,500". */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** digits);
}

/**
 * What an organizer types ("25", "25.5", "1,250.00" is refused) as minor
 * units, exactly: parsed as text, never through a float multiplication
 * (0.29 * 100 is 28.999999999999996). Undefined when it is not an amount
 * with at most the currency's digits.
 */
export function parseMajorAmount(text: string, currency: string): number | undefined {
  const digits = currencyDigits(currency);
  const match = /^(\d{1,12})(?:[.,](\d+))?$/.exec(text.trim());
  if (match === null) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}
