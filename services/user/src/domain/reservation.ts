import { AppError, type ErrorCode, type FieldError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import { isUuid } from './notification';

// The User Service's side of the seat-reservation two-phase commit
// (docs/architecture.md, "Ticket Order Service and two-phase commit"). The
// coordinator is the Ticket Order Service; this participant keeps its
// prepared state in PostgreSQL itself (PREPARE TRANSACTION), so it survives a
// crash of this process and even a failover of the database.

/** A reservation's state as the participant reports it. `prepared` exists only inside PostgreSQL's prepared transaction. */
export type ReservationState = 'prepared' | 'committed' | 'released' | 'aborted';

export interface ReservationRequest {
  readonly txId: string;
  readonly orderId: string;
  readonly eventId: string;
  readonly userId: string;
  readonly quantity: number;
}

/** The result of one attempt to claim the seats and prepare (or, for the baseline, commit). */
export type AttemptOutcome =
  | { readonly kind: 'prepared' | 'reserved' | 'already_prepared'; readonly unitPriceMinor: string; readonly currency: string }
  | { readonly kind: 'not_enough'; readonly available: number }
  | { readonly kind: 'busy' }
  | { readonly kind: 'unknown_event' }
  | { readonly kind: 'already_decided'; readonly state: ReservationState };

export interface ReservationStore {
  /**
   * One attempt in one database transaction: claim the seats, record the
   * reservation, then PREPARE TRANSACTION (`prepare`) or COMMIT (`local`).
   * `beforeClaim` runs inside the transaction (test delays).
   */
  attempt(request: ReservationRequest, mode: 'prepare' | 'local', beforeClaim: () => Promise<void>): Promise<AttemptOutcome>;
  /** COMMIT PREPARED; when nothing is prepared, the recorded state (null: never heard of it). */
  commit(txId: string): Promise<ReservationState | null>;
  /** ROLLBACK PREPARED and record the abort, so that a prepare arriving later is refused. Returns the final state. */
  abort(txId: string): Promise<ReservationState>;
  /** Puts the seats of a committed reservation back, once. null: unknown transaction. */
  release(txId: string, reason: string): Promise<ReservationState | null>;
  /** Transactions this participant has held prepared for longer than `olderThanMs`. */
  stalePrepared(olderThanMs: number): Promise<string[]>;
}

/** Test-only hooks (NODE_ENV=test): delays and crashes at the interesting moments. */
export interface ParticipantHooks {
  beforeClaim(): Promise<void>;
  afterPrepare(): Promise<void>;
  beforeCommit(): Promise<void>;
}

export const NO_HOOKS: ParticipantHooks = {
  beforeClaim: () => Promise.resolve(),
  afterPrepare: () => Promise.resolve(),
  beforeCommit: () => Promise.resolve(),
};

export type ParticipantVote =
  | { readonly commit: true; readonly unitPriceMinor: string; readonly currency: string }
  | { readonly commit: false; readonly reasonCode: ErrorCode; readonly reason: string; readonly available: number };

export interface SeatReservationSettings {
  /** How long a prepare keeps retrying while the seats it needs sit in buckets other transactions hold. */
  readonly claimBudgetMs: number;
}

export const MAX_QUANTITY = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** gRPC brings no schema: check what the coordinator sent before touching the database. */
export function assertValidRequest(request: ReservationRequest): void {
  const fields: FieldError[] = [];
  for (const [field, value] of [['transaction_id', request.txId], ['order_id', request.orderId], ['event_id', request.eventId], ['user_id', request.userId]] as const) {
    if (!isUuid(value)) fields.push({ field, message: 'must be a UUID' });
  }
  if (!Number.isInteger(request.quantity) || request.quantity < 1 || request.quantity > MAX_QUANTITY) {
    fields.push({ field: 'quantity', message: `must be an integer from 1 to ${MAX_QUANTITY}` });
  }
  if (fields.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid reservation: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, { fields });
}

export function assertTxId(txId: string): void {
  if (!isUuid(txId)) throw new AppError('VALIDATION_FAILED', 'transaction_id must be a UUID', { fields: [{ field: 'transaction_id', message: 'must be a UUID' }] });
}

function seatsLeft(available: number): string {
  if (available <= 0) return 'The event is sold out';
  return available === 1 ? 'Only 1 seat is left' : `Only ${available} seats are left`;
}

/**
 * The participant's protocol. Idempotent in every step: a second prepare of
 * a prepared transaction votes the same, commit and abort twice are
 * harmless, an abort that arrives before its prepare leaves a tombstone that
 * makes the late prepare vote no, and release gives the seats back once.
 */
export class SeatReservations {
  constructor(
    private readonly store: ReservationStore,
    private readonly hooks: ParticipantHooks,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    private readonly settings: SeatReservationSettings,
  ) {}

  prepare(request: ReservationRequest): Promise<ParticipantVote> {
    return this.claim(request, 'prepare');
  }

  /** The benchmark baseline: the same claim, committed at once (no two-phase commit). */
  reserveLocal(request: ReservationRequest): Promise<ParticipantVote> {
    return this.claim(request, 'local');
  }

  private async claim(request: ReservationRequest, mode: 'prepare' | 'local'): Promise<ParticipantVote> {
    assertValidRequest(request);
    const deadline = Date.now() + this.settings.claimBudgetMs;
    for (let attempt = 0; ; attempt += 1) {
      const outcome = await this.store.attempt(request, mode, () => this.hooks.beforeClaim());
      switch (outcome.kind) {
        case 'prepared':
          await this.hooks.afterPrepare();
          return { commit: true, unitPriceMinor: outcome.unitPriceMinor, currency: outcome.currency };
        case 'reserved':
        case 'already_prepared':
          return { commit: true, unitPriceMinor: outcome.unitPriceMinor, currency: outcome.currency };
        case 'not_enough':
          return { commit: false, reasonCode: 'NOT_ENOUGH_SEATS', reason: `${seatsLeft(outcome.available)}; ${request.quantity} requested`, available: outcome.available };
        case 'unknown_event':
          return { commit: false, reasonCode: 'NOT_FOUND', reason: `Event ${request.eventId} does not exist`, available: 0 };
        case 'already_decided':
          return { commit: false, reasonCode: 'CONFLICT', reason: `Transaction ${request.txId} was already ${outcome.state}; it cannot be prepared again`, available: 0 };
        case 'busy':
          if (Date.now() >= deadline) {
            return { commit: false, reasonCode: 'CONFLICT', reason: 'The last seats of this event are being sold right now; try again in a moment', available: 0 };
          }
          // Other buyers hold the remaining seats for a few milliseconds: step back and look again.
          await sleep(Math.min(50, 2 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
          break;
        default:
          return assertNever(outcome);
      }
    }
  }

  async commit(txId: string): Promise<ReservationState> {
    assertTxId(txId);
    await this.hooks.beforeCommit();
    const state = await this.store.commit(txId);
    if (state === null) throw new AppError('NOT_FOUND', `No prepared reservation ${txId}`);
    if (state === 'aborted') throw new AppError('CONFLICT', `Reservation ${txId} was aborted; it cannot be committed`);
    return state;
  }

  async abort(txId: string): Promise<ReservationState> {
    assertTxId(txId);
    const state = await this.store.abort(txId);
    if (state !== 'aborted') this.logger.warn({ txId, state }, 'abort of a reservation that was already committed: ignored');
    return state;
  }

  async release(txId: string, reason: string): Promise<ReservationState> {
    assertTxId(txId);
    const state = await this.store.release(txId, reason.slice(0, 200));
    if (state === null) throw new AppError('NOT_FOUND', `No reservation ${txId}`);
    return state;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
