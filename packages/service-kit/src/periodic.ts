import type { Logger } from '@eticket/logging';

/**
 * Runs `work` now and then every `intervalMs` after the previous run ended
 * (never overlapping itself), until stopped.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Runs after `initialDelayMs` (default: at once), then every interval. */
  start(initialDelayMs = 0): void {
    this.stopped = false;
    if (initialDelayMs <= 0) {
      this.run();
      return;
    }
    this.timer = setTimeout(() => this.run(), initialDelayMs);
    this.timer.unref();
  }

  /**
   * Stops scheduling. A pass in progress is not awaited: every pass is
   * idempotent and resumable, so one cut short by the shutdown is simply
   * done again by the next instance to scan.
   */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private run(): void {
    if (this.stopped) return;
    void this.work()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.warn({ err: error, task: this.name }, 'periodic task failed; it runs again at the next interval');
      })
      .finally(() => {
        if (!this.stopped) {
          this.timer = setTimeout(() => this.run(), this.intervalMs);
          this.timer.unref();
        }
      });
  }
}
