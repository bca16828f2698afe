import { CircuitState, type IBreaker } from 'cockatiel';

export interface SlidingWindowOptions {
  /** Share of failed calls (0..1, exclusive) within the window that opens the breaker. */
  readonly threshold: number;
  /** Length of the sliding window. */
  readonly windowMs: number;
  /** Below this average rate over the window the breaker never opens (too few samples to judge). */
  readonly minimumRps: number;
  /** Buckets the window is divided into (default 10): the window slides in steps of windowMs / buckets. */
  readonly buckets?: number;
  readonly now?: () => number;
}

interface Bucket {
  /** floor(time / bucketMs) of the bucket's period; a slot whose id is too old holds nothing. */
  id: number;
  successes: number;
  failures: number;
}

/**
 * A failure-rate breaker over a time-based sliding window, for cockatiel's
 * `circuitBreaker` (which supplies the open → half-open → closed machinery).
 *
 * Why not cockatiel's own SamplingBreaker: it advances its window by at most
 * one slot per recorded call, so under sparse traffic — exactly what a frozen
 * instance receives once least-outstanding balancing steers away from it —
 * successes from long before the fault stay counted and the breaker opens
 * late or never. Here every bucket older than the window is ignored by time.
 */
export class SlidingWindowBreaker implements IBreaker {
  private readonly slots: Bucket[];
  private readonly bucketMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SlidingWindowOptions) {
    if (!(options.threshold > 0 && options.threshold < 1)) throw new RangeError(`threshold must be in (0, 1), got ${options.threshold}`);
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${options.windowMs}`);
    const count = options.buckets ?? 10;
    this.bucketMs = Math.max(1, Math.ceil(options.windowMs / count));
    this.slots = Array.from({ length: count }, () => ({ id: -1, successes: 0, failures: 0 }));
    this.now = options.now ?? Date.now;
  }

  /** Serialisable counts (cockatiel's toJSON); restoring replaces the buckets. */
  get state(): unknown {
    return this.slots.map((slot) => ({ ...slot }));
  }

  set state(value: unknown) {
    if (!Array.isArray(value)) return;
    value.slice(0, this.slots.length).forEach((slot: Bucket, index) => {
      this.slots[index] = { id: slot.id, successes: slot.successes, failures: slot.failures };
    });
  }

  success(state: CircuitState): void {
    // A successful half-open probe closes the circuit: start judging afresh.
    if (state === CircuitState.HalfOpen) this.reset();
    this.record(true);
  }

  failure(state: CircuitState): boolean {
    this.record(false);
    if (state !== CircuitState.Closed) return true;
    const { successes, failures } = this.totals();
    const total = successes + failures;
    if (total < (this.options.minimumRps * this.options.windowMs) / 1000) return false;
    return failures > this.options.threshold * total;
  }

  /** Calls in the current window. */
  totals(): { successes: number; failures: number } {
    const oldest = this.currentId() - this.slots.length + 1;
    let successes = 0;
    let failures = 0;
    for (const slot of this.slots) {
      if (slot.id < oldest) continue;
      successes += slot.successes;
      failures += slot.failures;
    }
    return { successes, failures };
  }

  private currentId(): number {
    return Math.floor(this.now() / this.bucketMs);
  }

  private record(success: boolean): void {
    const id = this.currentId();
    const index = id % this.slots.length;
    let slot = this.slots[index]!;
    if (slot.id !== id) {
      slot = { id, successes: 0, failures: 0 };
      this.slots[index] = slot;
    }
    if (success) slot.successes += 1;
    else slot.failures += 1;
  }

  private reset(): void {
    for (const slot of this.slots) {
      slot.id = -1;
      slot.successes = 0;
      slot.failures = 0;
    }
  }
}
