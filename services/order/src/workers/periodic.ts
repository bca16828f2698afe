import type { Logger } from '@eticket/logging';

/**
 * Runs `work` now and then every `intervalMs` after the previous run ended
 * (never overlapping itself), until stopped.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  start(): void {
    this.stopped = false;
    this.run();
  }

  /** Runs once more right now (used at start-up to finish recovery before serving). */
  async runOnce(): Promise<void> {
    await this.work();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private run(): void {
    if (this.stopped) return;
    this.running = this.work()
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
