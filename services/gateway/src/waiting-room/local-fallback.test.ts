import { describe, expect, it } from 'vitest';
import { LocalFallback } from './local-fallback';

describe('LocalFallback (the waiting room while Redis is down)', () => {
  it('admits up to its capacity and refuses beyond it', () => {
    const fallback = new LocalFallback(2);
    expect(fallback.tryAcquire()).toBeDefined();
    expect(fallback.tryAcquire()).toBeDefined();
    expect(fallback.tryAcquire()).toBeUndefined();
  });

  it('gives a slot back exactly once, however often release is called', () => {
    const fallback = new LocalFallback(1);
    const release = fallback.tryAcquire();
    release?.();
    release?.();
    expect(fallback.used).toBe(0);
    expect(fallback.tryAcquire()).toBeDefined();
    expect(fallback.tryAcquire()).toBeUndefined();
  });
});
