import type { Logger } from '@eticket/logging';

/**
 * Work that continues after a response was sent (phase-2 leftovers,
 * notifications). Tracked so that a graceful shutdown waits for it and a
 * failure is logged instead of becoming an unhandled rejection.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  run(what: string, work: () => Promise<void>): void {
    const task = work().catch((error: unknown) => {
      this.logger.warn({ err: error, what }, 'background work failed; recovery will retry it');
    });
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  get size(): number {
    return this.running.size;
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/**
 * Collects ids and hands them to `flush` in batches, so that marking many
 * transactions as ended costs one write instead of one each.
 */
export class Batcher {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly flush: (ids: readonly string[]) => Promise<void>,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly maxDelayMs = 100,
    private readonly maxBatch = 200,
  ) {}

  add(id: string): void {
    this.pending.push(id);
    if (this.pending.length >= this.maxBatch) this.flushNow();
    else this.timer ??= setTimeout(() => this.flushNow(), this.maxDelayMs);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.flushing = this.flushing.then(() => this.flush(batch)).catch((error: unknown) => {
      // Not fatal: an unmarked transaction is found by recovery and finished again (idempotently).
      this.logger.warn({ err: error, count: batch.length }, 'could not record finished transactions');
    });
  }

  async close(): Promise<void> {
    this.flushNow();
    await this.flushing;
  }
}

/**
 * At most `limit` holders at a time; others queue, each for at most its own
 * timeout. Bounds how many seat reservations this coordinator keeps in
 * phase 1/2 at once (each is a PostgreSQL prepared transaction, and the
 * server allows only max_prepared_transactions of those).
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(private readonly limit: number) {}

  /** A release function, or null when no slot freed up within `timeoutMs`. */
  acquire(timeoutMs: number): Promise<(() => void) | null> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.releaser());
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        resolve(null);
      }, timeoutMs);
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) this.active -= 1;
      else next.grant();
    };
  }
}
