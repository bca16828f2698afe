import { describe, expect, it } from 'vitest';
import { deriveResourceId, isUuid } from './ids';
import { formatMoney, multiply } from './money';
import { requestHash } from './request-hash';

describe('ids, hashes and money', () => {
  it('derives one stable UUID per buyer, scope and key', () => {
    const id = deriveResourceId('u-1', 'order', 'k-1');
    expect(isUuid(id)).toBe(true);
    expect(deriveResourceId('u-1', 'order', 'k-1')).toBe(id);
    expect(deriveResourceId('u-2', 'order', 'k-1')).not.toBe(id);
    expect(deriveResourceId('u-1', 'payment', 'k-1')).not.toBe(id);
  });

  it('hashes a request independently of key order', () => {
    expect(requestHash('POST /order', { a: 1, b: { c: 2, d: 3 } })).toBe(requestHash('POST /order', { b: { d: 3, c: 2 }, a: 1 }));
    expect(requestHash('POST /order', { a: 1 })).not.toBe(requestHash('POST /order', { a: 2 }));
  });

  it('multiplies money exactly in minor units and formats it per currency', () => {
    expect(multiply({ amountMinor: 2_550, currency: 'EUR' }, 3)).toEqual({ amountMinor: 7_650, currency: 'EUR' });
    expect(formatMoney({ amountMinor: 7_650, currency: 'EUR' })).toBe('76.50 EUR');
    expect(formatMoney({ amountMinor: 7_650, currency: 'JPY' })).toBe('7650 JPY');
    expect(() => multiply({ amountMinor: Number.MAX_SAFE_INTEGER, currency: 'EUR' }, 2)).toThrow();
  });
});
