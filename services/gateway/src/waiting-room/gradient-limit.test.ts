import { describe, expect, it } from 'vitest';
import { GradientLimit } from './gradient-limit';

const settings = { initial: 16, min: 2, max: 256, tolerance: 2, intervalMs: 250, minWindowMs: 30_000 };

/** Feeds `seconds` of completions at `perSecond`, each taking latency(limit) ms. */
function run(limit: GradientLimit, seconds: number, perSecond: number, latency: (limit: number) => number, saturated = true, start = 0): number {
  let now = start;
  for (let i = 0; i < seconds * perSecond; i += 1) {
    now += 1000 / perSecond;
    if (saturated) limit.markSaturated();
    limit.onSample(latency(limit.limit), true, now);
  }
  return now;
}

describe('GradientLimit (the waiting room\'s concurrency limit)', () => {
  it('grows while buyers wait and latency stays near its minimum', () => {
    const limit = new GradientLimit(settings, 0);
    run(limit, 10, 100, () => 50);
    expect(limit.limit).toBeGreaterThan(50);
  });

  it('does not grow when nobody waits', () => {
    const limit = new GradientLimit(settings, 0);
    run(limit, 10, 100, () => 50, false);
    expect(limit.limit).toBe(16);
  });

  it('settles near the knee of a system that confirms 100 orders/s at 40 ms when uncontended (latency = max(40 ms, limit / 100 s))', () => {
    const limit = new GradientLimit({ ...settings, initial: 100 }, 0);
    // Past the knee (4 in flight) more concurrency only adds queueing: latency = limit / throughput.
    const now = run(limit, 5, 100, () => 40);
    run(limit, 30, 100, (l) => Math.max(40, (l / 100) * 1000), true, now);
    expect(limit.limit).toBeGreaterThanOrEqual(4);
    expect(limit.limit).toBeLessThanOrEqual(16);
  });

  it('does not grow while the mean latency is beyond the tolerance, even with buyers waiting (no queue inside the services)', () => {
    const limit = new GradientLimit({ ...settings, initial: 8 }, 0);
    // Learns the uncontended minimum (40 ms), then every order takes 3x that, however few are in flight.
    const now = run(limit, 2, 100, () => 40, false);
    run(limit, 10, 100, () => 120, true, now);
    expect(limit.limit).toBe(settings.min);
  });

  it('shrinks on failures and never below its minimum', () => {
    const limit = new GradientLimit(settings, 0);
    let now = 0;
    limit.onSample(50, true, now);
    for (let i = 0; i < 200; i += 1) limit.onSample(50, false, (now += 50));
    expect(limit.limit).toBe(2);
  });
});
