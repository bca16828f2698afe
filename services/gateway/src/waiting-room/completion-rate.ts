/**
 * Orders this gateway saw finish, per second, smoothed over the last few
 * seconds. The queue's estimates use the event's own rate, counted in Redis
 * by every gateway; this is the stand-in until an event has one (the first
 * second of an on-sale, when the whole line forms): without it the estimate
 * fell back to one admission per slot per second, tens of times too slow, and
 * buyers were told to come back long after their turn.
 */
export class CompletionRate {
  private count = 0;
  private intervalStart: number;
  private rate = 0;

  constructor(private readonly intervalMs = 1_000, now = Date.now()) {
    this.intervalStart = now;
  }

  record(now = Date.now()): void {
    this.roll(now);
    this.count += 1;
  }

  /** Completions per second (0 before the first full interval). */
  perSecond(now = Date.now()): number {
    this.roll(now);
    return this.rate;
  }

  private roll(now: number): void {
    const elapsed = now - this.intervalStart;
    if (elapsed < this.intervalMs) return;
    // A long idle gap counts as the zeros it was.
    const observed = this.count / (elapsed / 1000);
    this.rate = this.rate === 0 ? observed : 0.5 * this.rate + 0.5 * observed;
    this.count = 0;
    this.intervalStart = now;
  }
}
