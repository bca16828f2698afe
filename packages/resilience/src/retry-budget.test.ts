import { describe, expect, it } from 'vitest';
import { jitteredBackoff, RetryBudget } from './index';

describe('RetryBudget', () => {
  it('allows retries up to ratio x requests once the initial allowance is spent', () => {
    const budget = new RetryBudget(0.1, 20, 0);
    let retries = 0;
    for (let request = 0; request < 1_000; request += 1) {
      budget.deposit();
      if (budget.tryWithdraw()) retries += 1;
    }
    expect(retries).toBeGreaterThanOrEqual(99);
    expect(retries).toBeLessThanOrEqual(100);
  });

  it('refuses retries when the budget is empty', () => {
    const budget = new RetryBudget(0.1, 20, 1);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
  });
});

describe('jitteredBackoff', () => {
  it('grows exponentially up to the cap and stays within [0, ceiling)', () => {
    expect(jitteredBackoff(0, 25, 1_000, () => 0.999)).toBe(24);
    expect(jitteredBackoff(3, 25, 1_000, () => 0.999)).toBe(199);
    expect(jitteredBackoff(10, 25, 1_000, () => 0.999)).toBe(999);
    expect(jitteredBackoff(5, 25, 1_000, () => 0)).toBe(0);
  });
});
