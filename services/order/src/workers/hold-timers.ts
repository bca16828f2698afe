import type { Logger } from '@eticket/logging';
import type { HoldScheduler } from '../domain/holds';

interface Entry {
  readonly at: number;
  readonly orderId: string;
}

/**
 * This instance's alarm clock for holds: a min-heap by expiry checked a few
 * times a second, so thousands of holds cost one timer. Firing twice (two
 * instances, or a reschedule) is harmless: expiry is decided by a unique insert.
 */
export class HoldTimers implements HoldScheduler {
  private readonly heap: Entry[] = [];
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(
    private readonly fire: (orderId: string) => Promise<void>,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly tickMs = 250,
    private readonly maxConcurrent = 8,
  ) {}

  schedule(orderId: string, at: Date): void {
    const when = at.getTime();
    if (this.due.get(orderId) === when) return;
    this.due.set(orderId, when);
    this.push({ at: when, orderId });
  }

  get size(): number {
    return this.due.size;
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = Date.now();
    while (this.inFlight < this.maxConcurrent) {
      const top = this.heap[0];
      if (top === undefined || top.at > now) return;
      this.pop();
      // A rescheduled hold left a stale entry behind.
      if (this.due.get(top.orderId) !== top.at) continue;
      this.due.delete(top.orderId);
      this.inFlight += 1;
      this.fire(top.orderId)
        .catch((error: unknown) => {
          this.logger.warn({ err: error, orderId: top.orderId }, 'could not expire a hold; retrying shortly');
          this.schedule(top.orderId, new Date(Date.now() + 2_000));
        })
        .finally(() => {
          this.inFlight -= 1;
        });
    }
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = last;
  }
}
