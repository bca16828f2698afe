import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../domain/fakes';
import { HoldTimers } from './hold-timers';

afterEach(() => {
  vi.useRealTimers();
});

describe('HoldTimers', () => {
  it('fires each hold once at its time, in order, and only the latest schedule of a hold', async () => {
    vi.useFakeTimers({ now: 0 });
    const fired: string[] = [];
    const timers = new HoldTimers((orderId) => {
      fired.push(orderId);
      return Promise.resolve();
    }, silentLogger, 10);
    timers.schedule('b', new Date(200));
    timers.schedule('a', new Date(100));
    timers.schedule('c', new Date(150));
    timers.schedule('c', new Date(300));
    timers.start();
    await vi.advanceTimersByTimeAsync(160);
    expect(fired).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(200);
    expect(fired).toEqual(['a', 'b', 'c']);
    timers.stop();
  });
});
