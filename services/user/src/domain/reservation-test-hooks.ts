import type { Logger } from '@eticket/logging';
import type { ReservationConfig } from './reservation-config';
import { NO_HOOKS, type ParticipantHooks } from './reservation';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The participant's fault points for the two-phase-commit failure tests,
 * active only when NODE_ENV=test. A crash is a SIGKILL of this very process:
 * no cleanup, exactly like a power cut, so whatever PostgreSQL holds prepared
 * stays prepared.
 */
export function participantHooks(config: ReservationConfig, logger: Pick<Logger, 'fatal' | 'flush'>): ParticipantHooks {
  if (config.NODE_ENV !== 'test') return NO_HOOKS;
  const crash = (point: string): void => {
    logger.fatal({ point }, 'RESERVATION_TEST_FAULT reached: crashing now');
    logger.flush();
    process.kill(process.pid, 'SIGKILL');
  };
  const delay = (point: ReservationConfig['RESERVATION_TEST_DELAY_POINT']) => {
    const active = config.RESERVATION_TEST_PREPARE_DELAY_MS > 0 && config.RESERVATION_TEST_DELAY_POINT === point;
    return active ? sleep(config.RESERVATION_TEST_PREPARE_DELAY_MS) : Promise.resolve();
  };
  return {
    beforeClaim: () => delay('before-claim'),
    afterPrepare: async () => {
      if (config.RESERVATION_TEST_FAULT === 'crash-after-prepare') crash('crash-after-prepare');
      await delay('after-prepare');
    },
    beforeCommit: () => {
      if (config.RESERVATION_TEST_FAULT === 'crash-before-commit') crash('crash-before-commit');
      return Promise.resolve();
    },
  };
}
