import { describe, expect, it } from 'vitest';
import { CompletionRate } from './completion-rate';

describe('CompletionRate (the stand-in rate for the queue\'s estimates)', () => {
  it('is 0 until an interval has passed, then measures completions per second', () => {
    const rate = new CompletionRate(1_000, 0);
    for (let t = 0; t < 1_000; t += 20) rate.record(t);
    expect(rate.perSecond(999)).toBe(0);
    expect(rate.perSecond(1_000)).toBeCloseTo(50, 5);
  });

  it('follows a change of rate, smoothed', () => {
    const rate = new CompletionRate(1_000, 0);
    let t = 0;
    for (; t < 3_000; t += 10) rate.record(t);
    for (; t < 8_000; t += 50) rate.record(t);
    expect(rate.perSecond(8_000)).toBeGreaterThan(19);
    expect(rate.perSecond(8_000)).toBeLessThan(30);
  });
});
