import { CircuitState } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { SlidingWindowBreaker } from './sliding-window-breaker';

function breakerAt(clock: { t: number }) {
  return new SlidingWindowBreaker({ threshold: 0.5, windowMs: 1_000, minimumRps: 4, buckets: 10, now: () => clock.t });
}

describe('SlidingWindowBreaker', () => {
  it('does not open below the minimum throughput, however many of the calls fail', () => {
    const clock = { t: 0 };
    const breaker = breakerAt(clock);
    expect(breaker.failure(CircuitState.Closed)).toBe(false);
    expect(breaker.failure(CircuitState.Closed)).toBe(false);
    expect(breaker.failure(CircuitState.Closed)).toBe(false);
    // The fourth call reaches 4 calls per 1 s window: 4 failures of 4.
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });

  it('opens when failures exceed the threshold share of the calls in the window', () => {
    const clock = { t: 0 };
    const breaker = breakerAt(clock);
    for (let i = 0; i < 5; i += 1) breaker.success(CircuitState.Closed);
    for (let i = 0; i < 5; i += 1) expect(breaker.failure(CircuitState.Closed)).toBe(false);
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
  });

  it('forgets successes older than the window even when hardly any calls arrive since', () => {
    const clock = { t: 0 };
    const breaker = breakerAt(clock);
    for (let i = 0; i < 100; i += 1) breaker.success(CircuitState.Closed);
    // A trickle of failures after the window has slid past every success.
    clock.t = 1_100;
    for (let i = 0; i < 3; i += 1) expect(breaker.failure(CircuitState.Closed)).toBe(false);
    expect(breaker.failure(CircuitState.Closed)).toBe(true);
    expect(breaker.totals()).toEqual({ successes: 0, failures: 4 });
  });

  it('keeps the part of the window that is still recent', () => {
    const clock = { t: 0 };
    const breaker = breakerAt(clock);
    breaker.success(CircuitState.Closed);
    clock.t = 500;
    breaker.success(CircuitState.Closed);
    clock.t = 1_050;
    expect(breaker.totals()).toEqual({ successes: 1, failures: 0 });
  });

  it('reopens on a failed half-open probe and starts afresh after a successful one', () => {
    const clock = { t: 0 };
    const breaker = breakerAt(clock);
    for (let i = 0; i < 10; i += 1) breaker.failure(CircuitState.Closed);
    expect(breaker.failure(CircuitState.HalfOpen)).toBe(true);
    breaker.success(CircuitState.HalfOpen);
    expect(breaker.totals()).toEqual({ successes: 1, failures: 0 });
  });
});
