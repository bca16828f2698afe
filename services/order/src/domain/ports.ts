import type { ErrorCode } from '@eticket/errors';
import type { Money } from './money';
import type { AbortDecision, Closure, CommitDecision, Decision, OrderRecord, Placement } from './order';

// What the domain needs from the outside world. Adapters in store/ (MongoDB),
// grpc/ (User Service) and payments/ implement these; unit tests use fakes.

export interface Clock {
  now(): Date;
}

/** The coordinator's durable log: one decision per transaction, first writer wins. */
export interface TransactionLog {
  /**
   * Records `proposal` unless a decision for the transaction exists already,
   * and returns the decision that holds. Durable (write concern majority)
   * before it resolves.
   */
  decide(proposal: Decision): Promise<Decision>;
  find(txId: string): Promise<Decision | null>;
  /** Phase 2 (and the notification) finished: recovery may forget the transaction. */
  markEnded(txIds: readonly string[]): Promise<void>;
  isEnded(txId: string): Promise<boolean>;
  /** Decisions taken at or after `since`, oldest first (recovery). */
  decisionsSince(since: Date, limit: number): Promise<Decision[]>;
  /** Ids of transactions marked ended at or after `since`. */
  endedSince(since: Date): Promise<Set<string>>;
  /** Commit decisions whose hold ends in [from, to) (expiry). */
  holdsEndingBetween(from: Date, to: Date, limit: number): Promise<CommitDecision[]>;
}

/** The order participant and the order read model. */
export interface OrderStore {
  /** Phase 1 of the order participant. Returns the existing placement when the id is taken (an idempotent replay). */
  insertPlacement(placement: Placement): Promise<{ created: true } | { created: false; existing: Placement }>;
  findPlacement(orderId: string): Promise<Placement | null>;
  /** The placement plus its decision and closure. */
  load(orderId: string): Promise<OrderRecord | null>;
  listForUser(userId: string, limit: number, offset: number): Promise<{ items: OrderRecord[]; total: number }>;
  placementsSince(since: Date, limit: number): Promise<Placement[]>;
  /** Records the closure unless the order has one; returns the closure that holds. */
  close(closure: Closure): Promise<Closure>;
  findClosure(orderId: string): Promise<Closure | null>;
  closuresSince(since: Date, limit: number): Promise<Closure[]>;
  markSeatsReleased(orderId: string): Promise<void>;
  seatsReleased(orderId: string): Promise<boolean>;
}

/** Where each recovery scan got to: everything before its mark is known to be finished. */
export interface Watermarks {
  get(name: string): Promise<Date | null>;
  set(name: string, at: Date): Promise<void>;
}

export type Vote =
  | { readonly kind: 'yes'; readonly unitPrice: Money }
  | { readonly kind: 'no'; readonly reasonCode: ErrorCode; readonly reason: string };

export interface SeatPrepareRequest {
  readonly txId: string;
  readonly orderId: string;
  readonly eventId: string;
  readonly userId: string;
  readonly quantity: number;
}

/** The User Service's seat reservation, as a two-phase-commit participant. */
export interface SeatParticipant {
  /** Phase 1. Rejects (instead of voting) when the outcome is unknown: timeout, unreachable. */
  prepare(request: SeatPrepareRequest, deadlineMs: number): Promise<Vote>;
  /** The non-atomic baseline: reserve in one local transaction, no prepare (ORDER_PLACEMENT_MODE=local). */
  reserveLocal(request: SeatPrepareRequest, deadlineMs: number): Promise<Vote>;
  commit(txId: string, deadlineMs: number): Promise<void>;
  abort(txId: string, deadlineMs: number): Promise<void>;
  /** Gives back the seats of a committed reservation. Idempotent. */
  release(txId: string, reason: string, deadlineMs: number): Promise<void>;
}

/** What happened to an order, for its buyer (the User Service stores it and pushes it over WebSocket). */
export type OrderNoticeKind = 'payment_succeeded' | 'payment_failed' | 'hold_expiring' | 'order_expired' | 'order_cancelled';

export interface OrderNotice {
  readonly kind: OrderNoticeKind;
  readonly userId: string;
  readonly orderId: string;
  readonly eventId: string;
  readonly message: string;
  /** The same notice sent twice (a retry, two instances) is stored and shown once. */
  readonly dedupeKey: string;
}

export interface Notifier {
  /** Tells the buyer their order waits for payment. Idempotent per order. */
  paymentPending(placement: Placement, decision: CommitDecision): Promise<void>;
  /** Any other notice; idempotent per dedupe key. */
  notify(notice: OrderNotice): Promise<void>;
}

/** Test-only fault points of the coordinator (honoured only when NODE_ENV=test). */
export type FaultPoint = 'crash-after-prepare' | 'crash-after-decision';

export interface FaultInjector {
  reached(point: FaultPoint): void;
}

export const noFaults: FaultInjector = { reached: () => undefined };

/** Claims a piece of recovery work for a while so that two instances rarely drive the same one. */
export interface Leases {
  claim(key: string, ttlMs: number): Promise<boolean>;
}

export type { AbortDecision, CommitDecision };
