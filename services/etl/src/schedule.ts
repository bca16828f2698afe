import type { Logger } from '@eticket/logging';
import { Cron } from 'croner';

export interface Schedule {
  /** When the next scheduled run starts (null when stopped). */
  nextRun(): Date | null;
  /** No further ticks; resolves once a run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `run` on the cron expression. Within one process a tick that comes
 * while the previous run is still going is skipped (croner's `protect`);
 * across instances, the run lock in the warehouse does the same (see
 * jobs/run-etl.ts), so every instance may schedule and exactly one runs.
 */
export function startSchedule(expression: string, run: () => Promise<unknown>, logger: Logger): Schedule {
  let inFlight: Promise<void> | undefined;
  const job = new Cron(expression, {
    name: 'etl',
    protect: () => logger.warn('the previous scheduled ETL run is still going: this tick is skipped'),
  }, async () => {
    inFlight = run().then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'scheduled ETL run could not complete'),
    );
    await inFlight;
    inFlight = undefined;
  });
  logger.info({ cron: expression, next: job.nextRun()?.toISOString() }, 'ETL schedule started');
  return {
    nextRun: () => job.nextRun(),
    stop: async () => {
      job.stop();
      await inFlight;
    },
  };
}
