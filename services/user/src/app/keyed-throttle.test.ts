import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedThrottle } from './keyed-throttle';

describe('KeyedThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('emits the first value at once and folds a burst into one trailing emission of the latest value', () => {
    const emitted: [string, number][] = [];
    const throttle = new KeyedThrottle<number>(250, (key, value) => emitted.push([key, value]));
    throttle.push('a', 1);
    throttle.push('a', 2);
    throttle.push('a', 3);
    throttle.push('b', 10);
    expect(emitted).toEqual([['a', 1], ['b', 10]]);
    vi.advanceTimersByTime(250);
    expect(emitted).toEqual([['a', 1], ['b', 10], ['a', 3]]);
    vi.advanceTimersByTime(1_000);
    expect(emitted).toHaveLength(3);
  });

  it('never emits one key more than once per interval under a steady stream', () => {
    const times: number[] = [];
    const throttle = new KeyedThrottle<number>(250, () => times.push(Date.now()));
    for (let i = 0; i < 100; i += 1) {
      throttle.push('a', i);
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(500);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(250);
    expect(times.length).toBeLessThanOrEqual(6);
    throttle.close();
  });
});
