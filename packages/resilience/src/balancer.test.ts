import { describe, expect, it } from 'vitest';
import { UpstreamPool, type BreakerState } from './index';

const settings = { breaker: { failureThreshold: 0.5, samplingWindowMs: 1_000, minimumRps: 1, openMs: 200 }, maxConcurrentPerInstance: 2 };
const targets = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];

async function failTimes(pool: UpstreamPool<{ id: string }>, id: string, times: number): Promise<void> {
  for (let index = 0; index < times; index += 1) {
    const member = pool.pick(new Set(targets.map((target) => target.id).filter((other) => other !== id)));
    if (member === undefined) return;
    await pool.run(member, () => Promise.reject(new Error('boom'))).catch(() => undefined);
  }
}

describe('UpstreamPool', () => {
  it('prefers the member with fewer outstanding requests', () => {
    const pool = new UpstreamPool('svc', settings, () => undefined, () => 0);
    pool.setTargets(targets.slice(0, 2));
    const busy = pool.pick()!;
    busy.outstanding = 5;
    expect(pool.pick()!.target.id).not.toBe(busy.target.id);
  });

  it('opens the breaker of a failing member, skips it, and reports the transition', async () => {
    const changes: [string, BreakerState][] = [];
    const pool = new UpstreamPool('svc', settings, (_service, id, state) => changes.push([id, state]));
    pool.setTargets(targets);
    await failTimes(pool, 'a', 10);
    expect(changes).toContainEqual(['a', 'open']);
    for (let index = 0; index < 50; index += 1) expect(pool.pick()!.target.id).not.toBe('a');
    expect(pool.status().find((member) => member.id === 'a')?.breaker).toBe('open');
  });

  it('lets a half-open probe through after the open period and closes on success', async () => {
    const changes: BreakerState[] = [];
    const pool = new UpstreamPool('svc', settings, (_service, _id, state) => changes.push(state));
    pool.setTargets([{ id: 'a' }]);
    await failTimes(pool, 'a', 10);
    expect(pool.pick()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const probe = pool.pick();
    expect(probe?.target.id).toBe('a');
    await pool.run(probe!, () => Promise.resolve('ok'));
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('answers CIRCUIT_OPEN with a Retry-After when a caller uses an open member', async () => {
    const pool = new UpstreamPool('svc', settings, () => undefined);
    pool.setTargets([{ id: 'a' }]);
    const member = pool.pick()!;
    await failTimes(pool, 'a', 10);
    await expect(pool.run(member, () => Promise.resolve(1))).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryAfterSeconds: 0.2 });
  });

  it('refuses calls beyond the per-instance concurrency limit', async () => {
    const pool = new UpstreamPool('svc', settings, () => undefined);
    pool.setTargets([{ id: 'a' }]);
    const member = pool.pick()!;
    let release = (): void => undefined;
    const blocker = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = [pool.run(member, () => blocker), pool.run(member, () => blocker)];
    await expect(pool.run(member, () => Promise.resolve())).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    release();
    await Promise.all(running);
    expect(member.outstanding).toBe(0);
  });

  it('keeps breaker state for members that stay and forgets members that leave', async () => {
    const pool = new UpstreamPool('svc', settings, () => undefined);
    pool.setTargets(targets);
    await failTimes(pool, 'a', 10);
    pool.setTargets([{ id: 'a' }, { id: 'b' }]);
    expect(pool.size()).toBe(2);
    expect(pool.status().find((member) => member.id === 'a')?.breaker).toBe('open');
  });
});
