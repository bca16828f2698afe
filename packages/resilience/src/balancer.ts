import { BrokenCircuitError, bulkhead, BulkheadRejectedError, TaskCancelledError, type BulkheadPolicy, type CircuitBreakerPolicy } from 'cockatiel';
import { breakerStateOf, createBreaker, type BreakerSettings, type BreakerState } from './breaker';
import { CircuitOpenError, InstanceBusyError } from './errors';

export interface PoolSettings {
  readonly breaker: BreakerSettings;
  /** Most concurrent calls one upstream instance receives from this process (bulkhead). */
  readonly maxConcurrentPerInstance: number;
  /** Calls that may wait for one of those slots (default 0: refuse at once); a waiting call still honours its signal. */
  readonly maxQueuedPerInstance?: number;
  /**
   * How long the breaker of an instance that left the registry is kept (default
   * 60 s): one that comes back (lease lost during a pause, a quick restart)
   * resumes in the state it left, e.g. open and due for a half-open probe,
   * instead of being trusted afresh.
   */
  readonly retainDepartedMs?: number;
}

export interface PoolHooks<T> {
  readonly onBreakerChange?: (service: string, instanceId: string, state: BreakerState) => void;
  /** The member is forgotten for good (left longer than retainDepartedMs ago, or the pool closed): release what it holds. */
  readonly onEvict?: (target: T) => void;
  /** Errors that are not the instance's fault (the caller gave up, a bad request): not counted by its breaker. */
  readonly isFailure?: (error: Error) => boolean;
  /** Whether a re-announced target is unchanged (default: equal JSON); a changed one replaces the old, which is evicted. */
  readonly sameTarget?: (a: T, b: T) => boolean;
  readonly random?: () => number;
}

export interface Member<T> {
  target: T;
  readonly breaker: CircuitBreakerPolicy;
  readonly bulkhead: BulkheadPolicy;
  /** Calls running or queued on this member. */
  outstanding: number;
  /** When an open breaker will let a half-open probe through (cockatiel moves to half-open only on the next call). */
  probeAfter: number;
  /** Set while the instance is out of the registry (kept for retainDepartedMs). */
  departedAt: number | undefined;
}

export interface MemberStatus {
  readonly id: string;
  readonly breaker: BreakerState;
  readonly outstanding: number;
}

const NEVER = new AbortController().signal;

/** Rejects with the signal's reason as soon as it aborts, whatever `work` does. */
function untilAborted<R>(work: Promise<R>, signal: AbortSignal): Promise<R> {
  if (signal === NEVER) return work;
  return new Promise<R>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The instances of one upstream service with a breaker and a bulkhead each,
 * balanced by least outstanding requests over two random choices ("power of
 * two choices"): cheap, needs no coordination between gateway instances, and
 * steers load away from an instance that slows down or hangs (its calls pile
 * up), which round robin would keep feeding. Instances whose breaker is open
 * are skipped until their half-open probe is due.
 */
export class UpstreamPool<T extends { readonly id: string }> {
  private readonly members = new Map<string, Member<T>>();
  private readonly departed = new Map<string, Member<T>>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly service: string,
    private readonly settings: PoolSettings,
    private readonly hooks: PoolHooks<T> = {},
  ) {}

  /** Replaces the membership, keeping the breaker state of instances that stay or come back. */
  setTargets(targets: readonly T[]): void {
    const ids = new Set(targets.map((target) => target.id));
    const now = Date.now();
    for (const [id, member] of this.members) {
      if (ids.has(id)) continue;
      this.members.delete(id);
      member.departedAt = now;
      this.departed.set(id, member);
    }
    for (const target of targets) {
      const member = this.members.get(target.id) ?? this.departed.get(target.id) ?? this.newMember(target);
      this.departed.delete(target.id);
      if (!this.same(member.target, target)) this.replaceTarget(member, target);
      member.departedAt = undefined;
      this.members.set(target.id, member);
    }
    this.sweep(now);
  }

  /**
   * Least outstanding of two random available members; undefined when none is
   * available. `usable` narrows the choice when it leaves any member (e.g. to
   * channels that are connected); otherwise it is ignored.
   */
  pick(exclude: ReadonlySet<string> = new Set(), usable?: (target: T) => boolean): Member<T> | undefined {
    const now = Date.now();
    let available: Member<T>[] = [];
    for (const member of this.members.values()) if (!exclude.has(member.target.id) && this.available(member, now)) available.push(member);
    if (usable !== undefined && available.length > 1) {
      const preferred = available.filter((member) => usable(member.target));
      if (preferred.length > 0) available = preferred;
    }
    if (available.length <= 1) return available[0];
    const random = this.hooks.random ?? Math.random;
    const first = available[Math.floor(random() * available.length)]!;
    let second = available[Math.floor(random() * (available.length - 1))]!;
    if (second === first) second = available[available.length - 1]!;
    return second.outstanding < first.outstanding ? second : first;
  }

  /**
   * Runs a call against a member through its bulkhead and breaker, counting it
   * as outstanding meanwhile. A call `fn` considers failed must throw so the
   * breaker sees it. `signal` bounds the wait for a bulkhead slot too.
   * Throws CircuitOpenError or InstanceBusyError when the call was not made.
   */
  async run<R>(member: Member<T>, fn: () => Promise<R>, signal: AbortSignal = NEVER): Promise<R> {
    member.outstanding += 1;
    try {
      const work = member.bulkhead.execute(() => member.breaker.execute(fn, signal), signal);
      return await untilAborted(work, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new CircuitOpenError(this.service, Math.max(0, member.probeAfter - Date.now()) / 1000);
      }
      if (error instanceof BulkheadRejectedError) throw new InstanceBusyError(this.service);
      if (error instanceof TaskCancelledError && signal.aborted) throw signal.reason as Error;
      throw error;
    } finally {
      member.outstanding -= 1;
    }
  }

  /** Milliseconds until the earliest half-open probe of an open member (0 when one is due or none is open). */
  nextProbeInMs(): number {
    const now = Date.now();
    const waits = [...this.members.values()].filter((member) => breakerStateOf(member.breaker) === 'open').map((member) => member.probeAfter - now);
    return waits.length === 0 ? 0 : Math.max(0, Math.min(...waits));
  }

  size(): number {
    return this.members.size;
  }

  /** The target of a member, also of one that left and is still remembered. */
  targetOf(id: string): T | undefined {
    return (this.members.get(id) ?? this.departed.get(id))?.target;
  }

  targets(): T[] {
    return [...this.members.values()].map((member) => member.target);
  }

  status(): MemberStatus[] {
    return [...this.members.values()].map((member) => ({ id: member.target.id, breaker: breakerStateOf(member.breaker), outstanding: member.outstanding }));
  }

  /** Forgets every member (releasing each through onEvict). */
  close(): void {
    clearTimeout(this.sweeper);
    for (const member of [...this.members.values(), ...this.departed.values()]) this.hooks.onEvict?.(member.target);
    this.members.clear();
    this.departed.clear();
  }

  private newMember(target: T): Member<T> {
    const member: Member<T> = {
      target,
      breaker: createBreaker(this.settings.breaker, (state) => {
        if (state === 'open') member.probeAfter = Date.now() + this.settings.breaker.openMs;
        this.hooks.onBreakerChange?.(this.service, member.target.id, state);
      }, this.hooks.isFailure),
      bulkhead: bulkhead(this.settings.maxConcurrentPerInstance, this.settings.maxQueuedPerInstance ?? 0),
      outstanding: 0,
      probeAfter: 0,
      departedAt: undefined,
    };
    return member;
  }

  private same(a: T, b: T): boolean {
    return a === b || (this.hooks.sameTarget ?? ((x: T, y: T) => JSON.stringify(x) === JSON.stringify(y)))(a, b);
  }

  /** Same id, new announcement (e.g. a restart on another port): release what the old target held. */
  private replaceTarget(member: Member<T>, target: T): void {
    const old = member.target;
    member.target = target;
    this.hooks.onEvict?.(old);
  }

  private available(member: Member<T>, now: number): boolean {
    const state = breakerStateOf(member.breaker);
    return state === 'closed' || (state === 'open' && now >= member.probeAfter);
  }

  private sweep(now: number): void {
    const keepMs = this.settings.retainDepartedMs ?? 60_000;
    for (const [id, member] of this.departed) {
      if (now - (member.departedAt ?? now) < keepMs) continue;
      this.departed.delete(id);
      this.hooks.onEvict?.(member.target);
    }
    clearTimeout(this.sweeper);
    this.sweeper = undefined;
    if (this.departed.size === 0) return;
    // Evict on time even when the registry stays quiet; never keeps the process alive.
    this.sweeper = setTimeout(() => this.sweep(Date.now()), keepMs);
    this.sweeper.unref();
  }
}
