import { AppError, isAppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import type { Semaphore } from './background';
import { multiply } from './money';
import type { AbortDecision, CommitDecision, Decision, OrderRecord, Placement, PlacementMode } from './order';
import type { Phase2 } from './phase2';
import type { Clock, FaultInjector, OrderStore, SeatParticipant, SeatPrepareRequest, TransactionLog, Vote } from './ports';

export interface CoordinatorSettings {
  readonly instance: string;
  readonly mode: PlacementMode;
  readonly holdTtlMs: number;
  readonly prepareTimeoutMs: number;
  /** How long a placement may wait for one of the coordinator's transaction slots. */
  readonly slotWaitMs: number;
}

export interface CoordinatorDeps {
  readonly log: TransactionLog;
  readonly orders: OrderStore;
  readonly seats: SeatParticipant;
  readonly phase2: Phase2;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  readonly settings: CoordinatorSettings;
  /** Bounds the transactions in flight at once. */
  readonly slots: Semaphore;
}

export interface PlacementRequest {
  readonly orderId: string;
  readonly userId: string;
  readonly eventId: string;
  readonly quantity: number;
  readonly requestHash: string;
}

export type PlacementResult =
  /** This call placed the order and the transaction was decided. */
  | { readonly kind: 'decided'; readonly record: OrderRecord }
  /** The order id was taken: an idempotent replay, or the same key with another body. */
  | { readonly kind: 'existing'; readonly placement: Placement };

/** A vote, or the fact that none arrived in time (the participant may or may not have prepared). */
type Ballot = Vote | { readonly kind: 'unknown'; readonly error: AppError };

/**
 * The two-phase-commit coordinator for placing an order, as explicit steps:
 *
 *  1. the order participant prepares: the placement document is written
 *     (it is also what recovery finds if this process dies from here on);
 *  2. the seat participant prepares: the User Service claims the seats in a
 *     PostgreSQL transaction and PREPAREs it, then votes;
 *  3. the decision is written durably, first writer wins (someone who found
 *     this transaction stuck may already have presumed abort: then abort it is);
 *  4. phase 2 delivers the decision. Commit: the seat participant commits
 *     (the order participant's commit is the decision record itself, which
 *     lives in the same database). Abort: the compensation is the seat
 *     participant's rollback; the order simply reads as rejected.
 */
export class Coordinator {
  /** Transactions in progress, so a shutdown can let them reach their decision and phase 2. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: CoordinatorDeps) {}

  place(request: PlacementRequest): Promise<PlacementResult> {
    // Tracked here rather than by the HTTP server: a buyer who hangs up does not end the transaction.
    const work = this.placeTracked(request);
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }

  /** Waits for every transaction in progress to finish its steps. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async placeTracked(request: PlacementRequest): Promise<PlacementResult> {
    const { settings, clock } = this.deps;
    const release = await this.deps.slots.acquire(settings.slotWaitMs);
    if (release === null) throw new AppError('UPSTREAM_UNAVAILABLE', 'Too many orders are being placed right now; retry in a moment', { retryAfterSeconds: 1 });
    try {
      return await this.run({ ...request, id: request.orderId, mode: settings.mode, createdAt: clock.now(), coordinator: settings.instance });
    } finally {
      release();
    }
  }

  private async run(placement: Placement): Promise<PlacementResult> {
    // Step 1: prepare the order participant.
    const inserted = await this.deps.orders.insertPlacement(placement);
    if (!inserted.created) return { kind: 'existing', placement: inserted.existing };

    // Step 2: prepare the seat participant (or, in the baseline, reserve outright).
    const ballot = await this.collectVote(placement);
    if (ballot.kind === 'yes') this.deps.faults.reached('crash-after-prepare');

    // Step 3: decide, durably.
    const decision = await this.deps.log.decide(this.proposal(placement, ballot));
    if (decision.outcome === 'commit') this.deps.faults.reached('crash-after-decision');
    if (ballot.kind === 'yes' && decision.outcome === 'abort') {
      this.deps.logger.warn({ txId: placement.id, decidedBy: decision.decidedBy }, 'a commit came too late: the transaction had been presumed aborted');
    }

    // Step 4: phase 2.
    await this.finish(placement, decision, ballot);
    return { kind: 'decided', record: { placement, decision, closure: null } };
  }

  private async collectVote(placement: Placement): Promise<Ballot> {
    const request: SeatPrepareRequest = {
      txId: placement.id,
      orderId: placement.id,
      eventId: placement.eventId,
      userId: placement.userId,
      quantity: placement.quantity,
    };
    const { seats, settings } = this.deps;
    try {
      return placement.mode === 'local'
        ? await seats.reserveLocal(request, settings.prepareTimeoutMs)
        : await seats.prepare(request, settings.prepareTimeoutMs);
    } catch (error) {
      const appError = isAppError(error) ? error : new AppError('UPSTREAM_UNAVAILABLE', 'The seat reservation could not be reached', { cause: error });
      this.deps.logger.warn({ err: appError, txId: placement.id }, 'no vote from the seat participant: aborting');
      return { kind: 'unknown', error: appError };
    }
  }

  private proposal(placement: Placement, ballot: Ballot): Decision {
    const base = { txId: placement.id, orderId: placement.id, mode: placement.mode, decidedBy: 'coordinator' as const, decidedAt: this.deps.clock.now() };
    if (ballot.kind === 'yes') {
      const decision: CommitDecision = {
        ...base,
        outcome: 'commit',
        unitPrice: ballot.unitPrice,
        total: multiply(ballot.unitPrice, placement.quantity),
        holdExpiresAt: new Date(base.decidedAt.getTime() + this.deps.settings.holdTtlMs),
      };
      return decision;
    }
    const abort: AbortDecision = ballot.kind === 'no'
      ? { ...base, outcome: 'abort', reasonCode: ballot.reasonCode, reason: ballot.reason, participantsClean: true }
      : {
          ...base,
          outcome: 'abort',
          reasonCode: ballot.error.code === 'UPSTREAM_TIMEOUT' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
          reason: `The seat reservation did not answer (${ballot.error.message}); the order was not placed`,
          participantsClean: false,
        };
    return abort;
  }

  private async finish(placement: Placement, decision: Decision, ballot: Ballot): Promise<void> {
    if (decision.outcome === 'commit') {
      // The baseline committed locally already; it only has the notification left.
      if (placement.mode === 'local') await this.deps.phase2.afterLocalCommit(placement, decision);
      else await this.deps.phase2.commit(placement, decision);
      return;
    }
    // A participant that voted no has rolled back already; one that voted yes
    // or did not answer in time must be told.
    const needsAbort: AbortDecision = ballot.kind === 'no' ? decision : { ...decision, participantsClean: false };
    if (placement.mode === 'two_phase_commit') await this.deps.phase2.abort(needsAbort);
  }
}
