import type { Logger } from '@eticket/logging';
import type { FaultInjector, FaultPoint } from './domain/ports';

/**
 * Test-only crash points for the two-phase-commit failure tests. Honoured
 * only when NODE_ENV=test; the process dies the way a power cut or the OOM
 * killer would kill it: SIGKILL, no cleanup, no drain.
 */
export function faultInjector(nodeEnv: string, configured: FaultPoint | 'none', logger: Pick<Logger, 'fatal' | 'flush'>): FaultInjector {
  if (nodeEnv !== 'test' || configured === 'none') return { reached: () => undefined };
  return {
    reached(point) {
      if (point !== configured) return;
      logger.fatal({ point }, 'TWO_PC_FAULT reached: crashing now');
      logger.flush();
      process.kill(process.pid, 'SIGKILL');
    },
  };
}
