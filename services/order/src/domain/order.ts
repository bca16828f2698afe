import { AppError, type ErrorCode } from '@eticket/errors';
import type { Money } from './money';

// An order is not one mutable document but a few immutable records, each
// written once by a unique insert (see docs/architecture.md, "Ticket Order
// Service and two-phase commit"): the placement (written in phase 1), the
// coordinator's decision (commit or abort), and the closure (paid, expired or
// cancelled). Its status is derived from which records exist. That is what
// makes every race here (commit vs. presumed abort, payment vs. expiry vs.
// cancellation) have exactly one winner on FerretDB, whose conditional
// updates are not atomic, as on MongoDB.

export type PlacementMode = 'two_phase_commit' | 'local';

/** Phase 1 of the order participant: the order as requested, before anyone knows whether it succeeds. */
export interface Placement {
  /** The order id; also the id of its two-phase-commit transaction. */
  readonly id: string;
  readonly userId: string;
  readonly eventId: string;
  readonly quantity: number;
  /** Fingerprint of the request, to refuse a replayed Idempotency-Key with another body. */
  readonly requestHash: string;
  readonly mode: PlacementMode;
  readonly createdAt: Date;
  /** The instance that coordinates it (for logs). */
  readonly coordinator: string;
}

/** Who wrote a decision: the live coordinator, or someone presuming abort because it did not. */
export type DecidedBy = 'coordinator' | 'recovery' | 'inquiry' | 'reader';

interface DecisionBase {
  readonly txId: string;
  readonly orderId: string;
  /** `local` decisions come from the non-atomic baseline and have no phase 2. */
  readonly mode: PlacementMode;
  readonly decidedBy: DecidedBy;
  readonly decidedAt: Date;
}

export interface CommitDecision extends DecisionBase {
  readonly outcome: 'commit';
  readonly unitPrice: Money;
  readonly total: Money;
  readonly holdExpiresAt: Date;
}

export interface AbortDecision extends DecisionBase {
  readonly outcome: 'abort';
  readonly reasonCode: ErrorCode;
  readonly reason: string;
  /**
   * True when no participant can hold anything for this transaction (the seat
   * participant voted no, which means it already rolled back), so phase 2 has
   * nothing to deliver.
   */
  readonly participantsClean: boolean;
}

export type Decision = CommitDecision | AbortDecision;

export type ClosureOutcome = 'paid' | 'expired' | 'cancelled';

/** The end of a committed order's hold. Exactly one per order. */
export interface Closure {
  readonly orderId: string;
  readonly outcome: ClosureOutcome;
  readonly at: Date;
  readonly paymentId?: string;
  readonly paymentMethod?: string;
}

export interface OrderRecord {
  readonly placement: Placement;
  readonly decision: Decision | null;
  readonly closure: Closure | null;
}

export const ORDER_STATUSES = ['preparing', 'pending_payment', 'rejected', 'paid', 'expired', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The order state machine: the only transitions there are. */
export const ALLOWED_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  preparing: ['pending_payment', 'rejected'],
  pending_payment: ['paid', 'expired', 'cancelled'],
  rejected: [],
  paid: [],
  expired: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

export function orderStatus(record: OrderRecord): OrderStatus {
  if (record.decision === null) return 'preparing';
  if (record.decision.outcome === 'abort') return 'rejected';
  return record.closure === null ? 'pending_payment' : record.closure.outcome;
}

/** The seats an order holds or has bought, for invariants and logs. */
export function seatsHeld(record: OrderRecord): number {
  const status = orderStatus(record);
  return status === 'pending_payment' || status === 'paid' ? record.placement.quantity : 0;
}

export function commitDecisionOf(record: OrderRecord): CommitDecision | null {
  return record.decision?.outcome === 'commit' ? record.decision : null;
}

const NOT_PAYABLE: Readonly<Record<Exclude<OrderStatus, 'pending_payment'>, string>> = {
  preparing: 'the order is still being placed; try again in a moment',
  rejected: 'the order was not placed',
  paid: 'the order is already paid',
  expired: 'the hold on its seats expired and the seats were released',
  cancelled: 'the order was cancelled',
};

/**
 * The closure a caller asks for, if the state machine allows it now; throws
 * the catalog error that explains why not. Payment also needs the hold to be
 * running; expiry needs it to be over.
 */
export function assertClosureAllowed(record: OrderRecord, outcome: ClosureOutcome, now: Date): CommitDecision {
  const status = orderStatus(record);
  const decision = commitDecisionOf(record);
  if (status !== 'pending_payment' || decision === null || !canTransition(status, outcome)) {
    const why = status === 'pending_payment' ? 'the order cannot change that way' : NOT_PAYABLE[status];
    if (outcome === 'paid') throw new AppError('ORDER_NOT_PAYABLE', `Order ${record.placement.id} cannot be paid: ${why}`);
    if (outcome === 'cancelled') throw new AppError('ORDER_NOT_CANCELLABLE', `Order ${record.placement.id} cannot be cancelled: ${why}`);
    throw new AppError('CONFLICT', `Order ${record.placement.id} cannot expire: ${why}`);
  }
  const holdRunning = now.getTime() < decision.holdExpiresAt.getTime();
  if (outcome === 'paid' && !holdRunning) {
    throw new AppError('ORDER_NOT_PAYABLE', `Order ${record.placement.id} cannot be paid: its hold expired at ${decision.holdExpiresAt.toISOString()}`);
  }
  if (outcome === 'expired' && holdRunning) {
    throw new AppError('CONFLICT', `Order ${record.placement.id} holds its seats until ${decision.holdExpiresAt.toISOString()}`);
  }
  return decision;
}
