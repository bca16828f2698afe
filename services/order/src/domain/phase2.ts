import { isAppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import type { BackgroundWork, Batcher } from './background';
import type { AbortDecision, CommitDecision, Placement } from './order';
import type { Notifier, SeatParticipant } from './ports';

export interface Phase2Settings {
  readonly phase2TimeoutMs: number;
  /** Attempts per delivery before it is left to recovery. */
  readonly attempts: number;
}

export interface Phase2Deps {
  readonly seats: SeatParticipant;
  readonly notifier: Notifier;
  /** Records transactions whose phase 2 finished, in batches. */
  readonly ended: Pick<Batcher, 'add'>;
  readonly background: BackgroundWork;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly settings: Phase2Settings;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Transient failures are retried; a participant that says no to a decision is a protocol fault worth an error log. */
function isTransient(error: unknown): boolean {
  return !isAppError(error) || ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'CIRCUIT_OPEN', 'INTERNAL'].includes(error.code);
}

/**
 * Phase 2 of the seat-reservation transaction: delivers a decision to the
 * seat participant. Both deliveries are idempotent at the participant, so
 * the live coordinator, its retries and recovery may all deliver the same
 * decision; the first one to arrive does the work.
 */
export class Phase2 {
  constructor(private readonly deps: Phase2Deps) {}

  /**
   * Commits the seats (with a few quick retries) and then, in the
   * background, tells the buyer and records that the transaction ended.
   * Returns false when the participant could not be reached: the decision
   * stands and recovery (or the participant itself, through GetDecision)
   * completes it later.
   */
  async commit(placement: Placement, decision: CommitDecision): Promise<boolean> {
    const delivered = await this.deliver('commit', decision.txId, () => this.deps.seats.commit(decision.txId, this.deps.settings.phase2TimeoutMs));
    if (delivered) {
      this.deps.background.run(`finish ${decision.txId}`, async () => {
        await this.notify(placement, decision);
        this.deps.ended.add(decision.txId);
      });
    }
    return delivered;
  }

  /** The non-atomic baseline committed in one local transaction; only the notification is left. */
  afterLocalCommit(placement: Placement, decision: CommitDecision): Promise<void> {
    this.deps.background.run(`notify ${decision.txId}`, () => this.notify(placement, decision));
    return Promise.resolve();
  }

  /** Unreachable: throws, so the transaction stays unfinished and is retried. Refused (say, an unknown user): logged, not retried for ever. */
  private async notify(placement: Placement, decision: CommitDecision): Promise<void> {
    try {
      await this.deps.notifier.paymentPending(placement, decision);
    } catch (error) {
      if (isTransient(error)) throw error;
      this.deps.logger.warn({ err: error, orderId: placement.id }, 'the User Service refused the payment-pending notification');
    }
  }

  /** Rolls the seat participant back unless it is known to hold nothing. */
  async abort(decision: AbortDecision): Promise<boolean> {
    if (decision.participantsClean) return true;
    return this.deliver('abort', decision.txId, () => this.deps.seats.abort(decision.txId, this.deps.settings.phase2TimeoutMs));
  }

  private async deliver(what: 'commit' | 'abort', txId: string, call: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; attempt <= this.deps.settings.attempts; attempt += 1) {
      try {
        await call();
        return true;
      } catch (error) {
        if (!isTransient(error)) {
          this.deps.logger.error({ err: error, txId }, `the seat participant refused ${what}: protocol fault`);
          return false;
        }
        if (attempt === this.deps.settings.attempts) {
          this.deps.logger.warn({ err: error, txId, attempts: attempt }, `${what} not delivered yet; left to recovery`);
          return false;
        }
        await sleep(50 * 4 ** (attempt - 1));
      }
    }
    return false;
  }
}
