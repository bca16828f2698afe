import type { Logger } from '@eticket/logging';
import type { ReservationStore, SeatReservations } from './reservation';

/** TransactionCoordinator.GetDecision, as the resolver needs it. */
export interface DecisionSource {
  decisionFor(txId: string): Promise<'commit' | 'abort' | 'pending'>;
}

/** However the decision source is reached, one question never holds up the sweep for longer than this. */
const ASK_TIMEOUT_MS = 5_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no decision within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface ResolverReport {
  readonly committed: number;
  readonly aborted: number;
  readonly pending: number;
  readonly unreachable: number;
}

/**
 * Bounds the life of a prepared transaction: one prepared for longer than
 * `maxAgeMs` (its coordinator crashed, or phase 2 got lost) is resolved by
 * asking the coordinator for the decision. The coordinator answers abort for
 * any transaction it cannot show a commit decision for once its own bound
 * has passed, so "pending" ends; only an unreachable coordinator blocks, as
 * two-phase commit must.
 */
export class PreparedResolver {
  constructor(
    private readonly store: ReservationStore,
    private readonly reservations: SeatReservations,
    private readonly decisions: DecisionSource,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    private readonly maxAgeMs: number,
  ) {}

  async sweep(): Promise<ResolverReport> {
    const stale = await this.store.stalePrepared(this.maxAgeMs);
    let committed = 0;
    let aborted = 0;
    let pending = 0;
    let unreachable = 0;
    for (const txId of stale) {
      let decision: 'commit' | 'abort' | 'pending';
      try {
        decision = await withTimeout(this.decisions.decisionFor(txId), ASK_TIMEOUT_MS);
      } catch (error) {
        unreachable += 1;
        this.logger.warn({ err: error, txId }, 'prepared reservation in doubt: the coordinator cannot be reached');
        continue;
      }
      if (decision === 'pending') {
        pending += 1;
        continue;
      }
      if (decision === 'commit') {
        await this.store.commit(txId);
        committed += 1;
      } else {
        await this.reservations.abort(txId);
        aborted += 1;
      }
      this.logger.info({ txId, decision }, 'resolved a prepared reservation by asking the coordinator');
    }
    return { committed, aborted, pending, unreachable };
  }
}
