import { BrokenCircuitError } from 'cockatiel';
import { RecoverableError } from 'etcd3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOST_HALF_OPEN_MS, registryFaultHandling, WATCH_RETRY_MAX_MS } from './client';

/** What etcd3 rejects a call with when etcd cannot be reached. */
const unreachable = () => Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { [RecoverableError]: true });

afterEach(() => {
  vi.useRealTimers();
});

describe('the registry client\'s fault handling', () => {
  it(`never waits longer than ${WATCH_RETRY_MAX_MS} ms before opening the watch again, however long etcd stays away`, () => {
    let backoff = registryFaultHandling().watchBackoff;
    const pauses: number[] = [];
    for (let attempt = 0; attempt < 40 && backoff !== undefined; attempt += 1) {
      pauses.push(backoff.duration);
      backoff = backoff.next(undefined);
    }
    expect(pauses).toHaveLength(40);
    expect(Math.max(...pauses)).toBeLessThanOrEqual(WATCH_RETRY_MAX_MS);
    expect(Math.min(...pauses)).toBeGreaterThan(0);
  });

  it(`opens a host's breaker after 3 failed calls and lets a call through again ${HOST_HALF_OPEN_MS} ms later`, async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const host = registryFaultHandling().host?.('127.0.0.1:2379');
    if (host === undefined) throw new Error('no host policy');
    const down = vi.fn(() => Promise.reject(unreachable()));
    for (let call = 0; call < 3; call += 1) await expect(host.execute(down)).rejects.toThrow('UNAVAILABLE');
    await expect(host.execute(down)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(down).toHaveBeenCalledTimes(3);
    vi.setSystemTime(1_000_000 + HOST_HALF_OPEN_MS + 1);
    await expect(host.execute(() => Promise.resolve('etcd is back'))).resolves.toBe('etcd is back');
  });
});
