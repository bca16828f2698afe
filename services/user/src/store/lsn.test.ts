import { describe, expect, it } from 'vitest';
import { formatLsn, isLsn, laterLsn, parseLsn, UNREACHABLE_LSN } from './lsn';

describe('WAL positions', () => {
  it('parses both halves as hex and prints them back', () => {
    expect(parseLsn('0/3000060')).toBe(0x3000060n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xB374D848n);
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(formatLsn(parseLsn('a/0'))).toBe('A/0');
  });

  it('orders by the high half first, not as text', () => {
    expect(laterLsn('9/FFFFFFFF', '10/0')).toBe('10/0');
    expect(laterLsn('0/A', '0/9')).toBe('0/A');
    expect(laterLsn(UNREACHABLE_LSN, '7FFF/0')).toBe(UNREACHABLE_LSN);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '0', '0/', '/0', 'G/0', '0/123456789', '1/2/3', ' 0/1']) {
      expect(isLsn(bad)).toBe(false);
      expect(() => parseLsn(bad)).toThrow(/not a WAL position/);
    }
  });
});
