import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMoney, parseMajorAmount } from './money';

// Intl separates some symbols with a no-break space; compared as a plain space.
const plain = (text: string) => text.replaceAll('\u00a0', ' ');

describe('money in minor units', () => {
  it('formats in the event\'s currency with that currency\'s minor digits', () => {
    expect(formatMoney(2500, 'EUR', 'en-US')).toBe('€25.00');
    expect(formatMoney(2500, 'JPY', 'en-US')).toBe('¥2,500');
    expect(plain(formatMoney(1234, 'KWD', 'en-US'))).toBe('KWD 1.234');
    expect(formatMoney(0, 'USD', 'en-US')).toBe('$0.00');
    expect(plain(formatMoney(123456789, 'EUR', 'de-DE'))).toBe('1.234.567,89 €');
  });

  it('knows the minor digits from Intl', () => {
    expect([currencyDigits('EUR'), currencyDigits('JPY'), currencyDigits('KWD')]).toEqual([2, 0, 3]);
  });

  it('parses what an organizer types into exact minor units', () => {
    expect(parseMajorAmount('25', 'EUR')).toBe(2500);
    expect(parseMajorAmount('0.29', 'EUR')).toBe(29);
    expect(parseMajorAmount('19,9', 'EUR')).toBe(1990);
    expect(parseMajorAmount(' 1500 ', 'JPY')).toBe(1500);
    expect(parseMajorAmount('1.5', 'JPY')).toBeUndefined();
    expect(parseMajorAmount('1.234', 'EUR')).toBeUndefined();
    expect(parseMajorAmount('-3', 'EUR')).toBeUndefined();
    expect(parseMajorAmount('', 'EUR')).toBeUndefined();
  });
});
