import { describe, expect, it } from 'vitest';
import { CircuitOpenError, InstanceBusyError, UpstreamPool, type BreakerState, type PoolHooks } from './index';

const settings = { breaker: { failureThreshold: 0.5, samplingWindowMs: 1_000, minimumRps: 1, openMs: 200 }, maxConcurrentPerInstance: 2 };
const targets = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
type Target = { id: string; port?: number };

const pool = (hooks: PoolHooks<Target> = {}, extra: Partial<typeof settings> & { maxQueuedPerInstance?: number; retainDepartedMs?: number } = {}) =>
  new UpstreamPool<Target>('svc', { ...settings, ...extra }, hooks);

async function failTimes(upstreams: UpstreamPool<Target>, id: string, times: number): Promise<void> {
  for (let index = 0; index < times; index += 1) {
    const member = upstreams.pick(new Set(targets.map((target) => target.id).filter((other) => other !== id)));
    if (member === undefined) return;
    await upstreams.run(member, () => Promise.reject(new Error('boom'))).catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('UpstreamPool', () => {
  it('prefers the member with fewer outstanding requests', () => {
    const upstreams = pool({ random: () => 0 });
    upstreams.setTargets(targets.slice(0, 2));
    const busy = upstreams.pick()!;
    busy.outstanding = 5;
    expect(upstreams.pick()!.target.id).not.toBe(busy.target.id);
  });

  it('opens the breaker of a failing member, skips it, and reports the transition', async () => {
    const changes: [string, BreakerState][] = [];
    const upstreams = pool({ onBreakerChange: (_service, id, state) => changes.push([id, state]) });
    upstreams.setTargets(targets);
    await failTimes(upstreams, 'a', 10);
    expect(changes).toContainEqual(['a', 'open']);
    for (let index = 0; index < 50; index += 1) expect(upstreams.pick()!.target.id).not.toBe('a');
    expect(upstreams.status().find((member) => member.id === 'a')?.breaker).toBe('open');
  });

  it('lets a half-open probe through after the open period and closes on success', async () => {
    const changes: BreakerState[] = [];
    const upstreams = pool({ onBreakerChange: (_service, _id, state) => changes.push(state) });
    upstreams.setTargets([{ id: 'a' }]);
    await failTimes(upstreams, 'a', 10);
    expect(upstreams.pick()).toBeUndefined();
    expect(upstreams.nextProbeInMs()).toBeGreaterThan(0);
    await sleep(250);
    const probe = upstreams.pick();
    expect(probe?.target.id).toBe('a');
    await upstreams.run(probe!, () => Promise.resolve('ok'));
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('answers CircuitOpenError with the time to the next probe when a caller uses an open member', async () => {
    const upstreams = pool();
    upstreams.setTargets([{ id: 'a' }]);
    const member = upstreams.pick()!;
    await failTimes(upstreams, 'a', 10);
    const refusal = await upstreams.run(member, () => Promise.resolve(1)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CircuitOpenError);
    expect(refusal).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect((refusal as CircuitOpenError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refusal as CircuitOpenError).retryAfterSeconds).toBeLessThanOrEqual(0.2);
  });

  it('refuses calls beyond the per-instance concurrency limit', async () => {
    const upstreams = pool();
    upstreams.setTargets([{ id: 'a' }]);
    const member = upstreams.pick()!;
    let release = (): void => undefined;
    const blocker = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = [upstreams.run(member, () => blocker), upstreams.run(member, () => blocker)];
    await expect(upstreams.run(member, () => Promise.resolve())).rejects.toBeInstanceOf(InstanceBusyError);
    release();
    await Promise.all(running);
    expect(member.outstanding).toBe(0);
  });

  it('lets a queued call give up when its signal aborts', async () => {
    const upstreams = pool({}, { maxQueuedPerInstance: 5 });
    upstreams.setTargets([{ id: 'a' }]);
    const member = upstreams.pick()!;
    let release = (): void => undefined;
    const blocker = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = [upstreams.run(member, () => blocker), upstreams.run(member, () => blocker)];
    const queued = upstreams.run(member, () => Promise.resolve('late'), AbortSignal.timeout(30));
    await expect(queued).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(member.outstanding).toBe(2);
    release();
    await Promise.all(running);
  });

  it('does not count errors the hooks call no failure', async () => {
    const changes: BreakerState[] = [];
    const upstreams = pool({ onBreakerChange: (_s, _i, state) => changes.push(state), isFailure: (error) => error.message !== 'client gone' });
    upstreams.setTargets([{ id: 'a' }]);
    const member = upstreams.pick()!;
    for (let index = 0; index < 10; index += 1) await upstreams.run(member, () => Promise.reject(new Error('client gone'))).catch(() => undefined);
    expect(changes).toEqual([]);
  });

  it('keeps the breaker of a member that leaves and comes back, and evicts it once it stays away', async () => {
    const evicted: string[] = [];
    const upstreams = pool({ onEvict: (target) => evicted.push(target.id) }, { retainDepartedMs: 50 });
    upstreams.setTargets(targets);
    await failTimes(upstreams, 'a', 10);
    upstreams.setTargets([{ id: 'b' }, { id: 'c' }]);
    expect(upstreams.size()).toBe(2);
    upstreams.setTargets(targets);
    expect(upstreams.status().find((member) => member.id === 'a')?.breaker).toBe('open');
    upstreams.setTargets([{ id: 'b' }]);
    await sleep(120);
    expect(evicted.sort()).toEqual(['a', 'c']);
    upstreams.setTargets([{ id: 'a' }, { id: 'b' }]);
    expect(upstreams.status().find((member) => member.id === 'a')?.breaker).toBe('closed');
  });

  it('releases the old target when an instance announces a changed address under the same id, not when it repeats itself', () => {
    const evicted: Target[] = [];
    const upstreams = pool({ onEvict: (target) => evicted.push(target) });
    const first = { id: 'a', port: 1 };
    upstreams.setTargets([first]);
    upstreams.setTargets([{ id: 'a', port: 1 }]);
    expect(evicted).toEqual([]);
    upstreams.setTargets([{ id: 'a', port: 2 }]);
    expect(evicted).toEqual([first]);
    upstreams.close();
    expect(evicted).toHaveLength(2);
  });

  it('prefers members the caller marks usable, and falls back to the rest when none is', () => {
    const upstreams = pool();
    upstreams.setTargets(targets);
    for (let index = 0; index < 20; index += 1) expect(upstreams.pick(new Set(), (target) => target.id === 'b')!.target.id).toBe('b');
    expect(upstreams.pick(new Set(), () => false)).toBeDefined();
  });
});
