export interface GradientLimitSettings {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /** The mean latency may reach this multiple of the recent minimum before the limit shrinks. */
  readonly tolerance: number;
  /** How often the limit is recomputed (from the samples of the interval). */
  readonly intervalMs: number;
  /** The minimum latency is the lowest of the current and the previous window of this length. */
  readonly minWindowMs: number;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * An adaptive concurrency limit for admitted orders: a gradient controller
 * after Netflix's concurrency-limits (Gradient2), written out because the
 * library is Java and the Node ports are unmaintained. Every interval the mean
 * latency of the orders that finished is compared with the recent minimum:
 *   gradient = clamp(tolerance x minimum / mean, 0.5, 1)
 *   limit   <- 0.8 limit + 0.2 (limit x gradient + growth)
 * where growth is sqrt(limit) only while buyers were waiting (an idle room
 * learns nothing about more concurrency) and the mean latency was within the
 * tolerance. Gradient2 grows unconditionally, which settles where the
 * shrinking gradient balances the growth: mean latency at 2-3x the tolerance,
 * with a dozen orders queueing inside the services for barely more
 * confirmations (measured: admitted p99 at 10x overload 3.4-7.6x its value at
 * capacity, median of each bench run). Growing only within the tolerance keeps the services at the knee
 * where they confirm the most orders per second without orders queueing
 * inside them; past it more concurrency only adds latency.
 * A failed order (5xx) counts as a sample twice the tolerated latency.
 *
 * It lives in each gateway process, learning from every event's orders
 * (capacity is the services', not an event's: a new on-sale starts from what
 * the last one taught); the gateways' controllers watch the same services and
 * agree closely, while the slots they admit into are counted in Redis.
 */
export class GradientLimit {
  private value: number;
  private minCurrent = Number.POSITIVE_INFINITY;
  private minPrevious = Number.POSITIVE_INFINITY;
  private minWindowStart: number;
  private intervalStart: number;
  private sum = 0;
  private count = 0;
  private saturated = false;

  constructor(private readonly settings: GradientLimitSettings, now = Date.now()) {
    this.value = clamp(settings.initial, settings.min, settings.max);
    this.minWindowStart = now;
    this.intervalStart = now;
  }

  /** Orders that may be in flight per event. */
  get limit(): number {
    return Math.floor(this.value);
  }

  /** Buyers had to queue: the limit was binding. */
  markSaturated(): void {
    this.saturated = true;
  }

  onSample(latencyMs: number, ok: boolean, now = Date.now()): void {
    const { tolerance } = this.settings;
    const known = Math.min(this.minCurrent, this.minPrevious);
    let sample = latencyMs;
    if (ok) this.minCurrent = Math.min(this.minCurrent, latencyMs);
    else sample = Math.max(latencyMs, (Number.isFinite(known) ? known : latencyMs) * tolerance * 2);
    if (now - this.minWindowStart >= this.settings.minWindowMs) {
      this.minPrevious = this.minCurrent;
      this.minCurrent = Number.POSITIVE_INFINITY;
      this.minWindowStart = now;
    }
    this.sum += sample;
    this.count += 1;
    if (now - this.intervalStart < this.settings.intervalMs) return;
    const mean = this.sum / this.count;
    const minimum = Math.min(this.minCurrent, this.minPrevious);
    const base = Number.isFinite(minimum) ? minimum : mean;
    const headroom = (tolerance * base) / mean;
    const gradient = clamp(headroom, 0.5, 1);
    const growth = this.saturated && headroom >= 1 ? Math.sqrt(this.value) : 0;
    this.value = clamp(0.8 * this.value + 0.2 * (this.value * gradient + growth), this.settings.min, this.settings.max);
    this.sum = 0;
    this.count = 0;
    this.saturated = false;
    this.intervalStart = now;
  }
}
