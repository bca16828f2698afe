import { BrokenCircuitError, bulkhead, BulkheadRejectedError, type BulkheadPolicy, type CircuitBreakerPolicy } from 'cockatiel';
import { AppError } from '@eticket/errors';
import { breakerStateOf, createBreaker, type BreakerSettings, type BreakerState } from './breaker';

export interface PoolSettings {
  readonly breaker: BreakerSettings;
  /** Most concurrent calls one upstream instance receives from this process (bulkhead). */
  readonly maxConcurrentPerInstance: number;
}

export interface Member<T> {
  readonly target: T;
  readonly breaker: CircuitBreakerPolicy;
  readonly bulkhead: BulkheadPolicy;
  outstanding: number;
  /** When an open breaker will let a half-open probe through (cockatiel moves to half-open only on the next call). */
  probeAfter: number;
}

export interface MemberStatus {
  readonly id: string;
  readonly breaker: BreakerState;
  readonly outstanding: number;
}

/**
 * The instances of one upstream service with a breaker and a bulkhead each,
 * balanced by least outstanding requests over two random choices ("power of
 * two choices"): cheap, needs no coordination between gateway instances, and
 * steers load away from an instance that slows down, which round robin would
 * keep feeding. Instances whose breaker is open are skipped.
 */
export class UpstreamPool<T extends { readonly id: string }> {
  private readonly members = new Map<string, Member<T>>();

  constructor(
    readonly service: string,
    private readonly settings: PoolSettings,
    private readonly onBreakerChange: (service: string, instanceId: string, state: BreakerState) => void,
    private readonly random: () => number = Math.random,
  ) {}

  /** Replaces the membership, keeping the breaker state of instances that stay. */
  setTargets(targets: readonly T[]): void {
    const ids = new Set(targets.map((target) => target.id));
    for (const id of this.members.keys()) if (!ids.has(id)) this.members.delete(id);
    for (const target of targets) {
      const existing = this.members.get(target.id);
      if (existing !== undefined) {
        this.members.set(target.id, { ...existing, target });
        continue;
      }
      const member: Member<T> = {
        target,
        breaker: createBreaker(this.settings.breaker, (state) => {
          if (state === 'open') member.probeAfter = Date.now() + this.settings.breaker.openMs;
          this.onBreakerChange(this.service, target.id, state);
        }),
        bulkhead: bulkhead(this.settings.maxConcurrentPerInstance, 0),
        outstanding: 0,
        probeAfter: 0,
      };
      this.members.set(target.id, member);
    }
  }

  /** Least outstanding of two random available members; undefined when none is available. */
  pick(exclude: ReadonlySet<string> = new Set()): Member<T> | undefined {
    const now = Date.now();
    const available = [...this.members.values()].filter((member) => !exclude.has(member.target.id) && this.available(member, now));
    if (available.length <= 1) return available[0];
    const first = available[Math.floor(this.random() * available.length)]!;
    let second = available[Math.floor(this.random() * (available.length - 1))]!;
    if (second === first) second = available[available.length - 1]!;
    return second.outstanding < first.outstanding ? second : first;
  }

  /**
   * Runs a call against a member through its bulkhead and breaker, counting it
   * as outstanding meanwhile. A call `fn` considers failed must throw so the
   * breaker sees it.
   */
  async run<R>(member: Member<T>, fn: () => Promise<R>): Promise<R> {
    member.outstanding += 1;
    try {
      return await member.bulkhead.execute(() => member.breaker.execute(fn));
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new AppError('CIRCUIT_OPEN', `${this.service} is failing; not sending more requests for now`, { retryAfterSeconds: this.settings.breaker.openMs / 1000 });
      }
      if (error instanceof BulkheadRejectedError) {
        throw new AppError('UPSTREAM_UNAVAILABLE', `${this.service} is at its concurrency limit`, { retryAfterSeconds: 1 });
      }
      throw error;
    } finally {
      member.outstanding -= 1;
    }
  }

  private available(member: Member<T>, now: number): boolean {
    const state = breakerStateOf(member.breaker);
    return state === 'closed' || (state === 'open' && now >= member.probeAfter);
  }

  size(): number {
    return this.members.size;
  }

  status(): MemberStatus[] {
    return [...this.members.values()].map((member) => ({ id: member.target.id, breaker: breakerStateOf(member.breaker), outstanding: member.outstanding }));
  }
}
