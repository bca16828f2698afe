import type { Logger } from '@eticket/logging';

export interface ShutdownOptions {
  readonly logger: Logger;
  /** Called once on SIGTERM/SIGINT; should stop accepting work, drain in-flight requests and close pools. */
  readonly close: () => Promise<void>;
  /** Hard limit for draining; after it the process exits anyway so an orchestrator is never stuck. */
  readonly timeoutMs?: number;
}

/**
 * Graceful shutdown: the first SIGTERM or SIGINT drains (Fastify answers new
 * requests with 503 and waits for in-flight ones), a second signal or the
 * timeout forces the exit.
 */
export function installGracefulShutdown(options: ShutdownOptions): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    options.logger.info({ signal }, 'shutting down: draining in-flight work');
    const timer = setTimeout(() => {
      options.logger.error('drain timed out: exiting');
      process.exit(1);
    }, options.timeoutMs ?? 10_000);
    timer.unref();
    options.close().then(
      () => {
        options.logger.info('shut down cleanly');
        options.logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Logs a start-up failure (often a ConfigError that names the bad variable) and exits non-zero. */
export function failStartup(error: unknown): never {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
