import { describe, expect, it } from 'vitest';
import { preferredWaitMs } from './http';

describe('preferredWaitMs (RFC 7240 Prefer: wait on POST /order)', () => {
  it('reads wait=N seconds among other preferences, in any case and spacing', () => {
    expect(preferredWaitMs('wait=20')).toBe(20_000);
    expect(preferredWaitMs('respond-async, wait=5')).toBe(5_000);
    expect(preferredWaitMs('handling=lenient; WAIT = "7"')).toBe(7_000);
    expect(preferredWaitMs(['return=minimal', 'wait=3'])).toBe(3_000);
  });

  it('is 0 without a wait preference or for one it cannot read', () => {
    for (const header of [undefined, '', 'respond-async', 'await=5', 'wait=', 'wait=-3', 'wait=abc', 'wait=5x', 'x'.repeat(2_000)]) {
      expect(preferredWaitMs(header)).toBe(0);
    }
  });
});
