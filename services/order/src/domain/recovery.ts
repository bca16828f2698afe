import type { Logger } from '@eticket/logging';
import type { AbortDecision, Decision, Placement, PlacementMode } from './order';
import type { Phase2 } from './phase2';
import type { Clock, Leases, OrderStore, TransactionLog, Watermarks } from './ports';

export interface RecoverySettings {
  /** A placement undecided for this long is presumed aborted. */
  readonly decisionBoundMs: number;
  /** How long one instance keeps a claimed piece of recovery work to itself. */
  readonly leaseMs: number;
  /** Most documents one scan looks at; the rest waits for the next scan. */
  readonly batch: number;
}

export interface RecoveryDeps {
  readonly log: TransactionLog;
  readonly orders: OrderStore;
  readonly phase2: Phase2;
  readonly clock: Clock;
  readonly leases: Leases;
  readonly marks: Watermarks;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  readonly settings: RecoverySettings;
}

export type ParticipantAnswer = 'commit' | 'abort' | 'pending';

export interface ScanReport {
  readonly presumedAborted: number;
  readonly redriven: number;
  readonly unfinished: number;
}

const MARK = 'transactions';

/**
 * Recovery of the coordinator, presumed-abort style:
 *  - no decision and older than the bound: abort is written (first writer
 *    wins, so a coordinator that is merely slow cannot commit afterwards)
 *    and delivered;
 *  - a commit decision whose phase 2 never ended: commit is delivered again
 *    (participants are idempotent) and the buyer notified (deduplicated).
 * It runs at start-up, every RECOVERY_SCAN_INTERVAL_MS, when a participant
 * asks for a decision, and when a stuck order is read.
 */
export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  /** TransactionCoordinator.GetDecision: what a participant holding a prepared transaction must do. */
  async decisionFor(txId: string): Promise<ParticipantAnswer> {
    const found = await this.deps.log.find(txId);
    if (found !== null) return found.outcome;
    const placement = await this.deps.orders.findPlacement(txId);
    if (placement !== null && !this.isOverdue(placement)) return 'pending';
    return (await this.presumeAbort(txId, placement?.mode ?? 'two_phase_commit', 'inquiry')).outcome;
  }

  /** Writes the presumed abort unless a decision exists, and returns whichever holds. */
  presumeAbort(txId: string, mode: PlacementMode, decidedBy: 'recovery' | 'inquiry' | 'reader'): Promise<Decision> {
    const abort: AbortDecision = {
      txId,
      orderId: txId,
      mode,
      decidedBy,
      decidedAt: this.deps.clock.now(),
      outcome: 'abort',
      reasonCode: 'UPSTREAM_TIMEOUT',
      reason: 'The order was not placed: its transaction did not complete in time. Try again with a new Idempotency-Key',
      participantsClean: false,
    };
    return this.deps.log.decide(abort);
  }

  isOverdue(placement: Placement): boolean {
    return this.deps.clock.now().getTime() - placement.createdAt.getTime() >= this.deps.settings.decisionBoundMs;
  }

  /** Brings one transaction to its end if it is stuck; true when nothing is left to do for it. */
  async resolve(placement: Placement): Promise<boolean> {
    let decision = await this.deps.log.find(placement.id);
    if (decision === null) {
      if (!this.isOverdue(placement)) return false;
      decision = await this.presumeAbort(placement.id, placement.mode, 'recovery');
      this.deps.logger.warn({ txId: placement.id, outcome: decision.outcome }, 'recovery: presumed abort of an undecided transaction');
    }
    return this.drive(placement, decision);
  }

  private async drive(placement: Placement, decision: Decision): Promise<boolean> {
    if (decision.mode === 'local') return true;
    if (decision.outcome === 'abort') return this.deps.phase2.abort(decision);
    if (await this.deps.log.isEnded(decision.txId)) return true;
    this.deps.logger.info({ txId: decision.txId }, 'recovery: delivering a commit decision again');
    return this.deps.phase2.commit(placement, decision);
  }

  /**
   * One pass over the transactions since the watermark: every placement
   * without a decision and every commit whose phase 2 has not ended. The
   * watermark then moves to the oldest transaction still unfinished.
   */
  async scan(): Promise<ScanReport> {
    const { log, orders, marks, clock, leases, settings } = this.deps;
    const started = clock.now();
    const since = (await marks.get(MARK)) ?? new Date(0);
    const [placements, decisions, ended] = await Promise.all([
      orders.placementsSince(since, settings.batch),
      log.decisionsSince(since, settings.batch),
      log.endedSince(since),
    ]);
    const decided = new Map(decisions.map((decision) => [decision.txId, decision]));
    let oldestOpen = new Date(started.getTime() - settings.decisionBoundMs);
    const keepOpen = (at: Date) => {
      if (at.getTime() < oldestOpen.getTime()) oldestOpen = at;
    };
    let presumedAborted = 0;
    let redriven = 0;
    let unfinished = 0;

    for (const placement of placements) {
      const decision = decided.get(placement.id);
      if (decision !== undefined) continue;
      if (!this.isOverdue(placement)) {
        keepOpen(placement.createdAt);
        continue;
      }
      if (!(await leases.claim(`tx:${placement.id}`, settings.leaseMs))) {
        keepOpen(placement.createdAt);
        continue;
      }
      presumedAborted += 1;
      if (!(await this.resolve(placement))) {
        unfinished += 1;
        keepOpen(placement.createdAt);
      }
    }

    for (const decision of decisions) {
      if (decision.outcome !== 'commit' || decision.mode === 'local' || ended.has(decision.txId)) continue;
      // The live coordinator finishes its own transactions within moments; only older ones are recovery's business.
      if (started.getTime() - decision.decidedAt.getTime() < settings.decisionBoundMs) {
        keepOpen(decision.decidedAt);
        continue;
      }
      const placement = await orders.findPlacement(decision.txId);
      if (placement === null || !(await leases.claim(`tx:${decision.txId}`, settings.leaseMs))) {
        keepOpen(decision.decidedAt);
        continue;
      }
      redriven += 1;
      if (!(await this.drive(placement, decision))) unfinished += 1;
      // Its end is recorded in the background: the next pass confirms it before the mark moves past it.
      keepOpen(decision.decidedAt);
    }

    // A full batch means there may be more: continue from where this pass stopped.
    const last = [placements.at(-1)?.createdAt, decisions.at(-1)?.decidedAt].filter((at): at is Date => at !== undefined);
    if (placements.length >= settings.batch || decisions.length >= settings.batch) for (const at of last) keepOpen(at);
    if (oldestOpen.getTime() > since.getTime()) await marks.set(MARK, oldestOpen);
    return { presumedAborted, redriven, unfinished };
  }
}
