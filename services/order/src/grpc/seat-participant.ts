import * as grpc from '@grpc/grpc-js';
import { callUnary, loadUserContracts } from '@eticket/contracts';
import type { PrepareResponse__Output } from '@eticket/contracts/generated/eticket/user/v1/PrepareResponse';
import type { SeatReservationClient } from '@eticket/contracts/generated/eticket/user/v1/SeatReservation';
import { AppError, isAppError, isErrorCode, type ErrorCode } from '@eticket/errors';
import { parseMinor } from '../domain/money';
import type { SeatParticipant, SeatPrepareRequest, Vote } from '../domain/ports';

/** A User Service that just restarted is reached on the first call instead of after the channel's reconnect backoff. */
const READY = { waitForReady: true } as const;

/** Refusals that are answers, not failures: the participant certainly holds nothing. */
const DEFINITE_REFUSALS: readonly ErrorCode[] = ['NOT_FOUND', 'NOT_ENOUGH_SEATS', 'VALIDATION_FAILED', 'CONFLICT'];

/** The User Service's SeatReservation as the coordinator's seat participant. Every call carries a deadline. */
export class GrpcSeatParticipant implements SeatParticipant {
  private readonly client: SeatReservationClient;

  constructor(address: string) {
    const contracts = loadUserContracts();
    this.client = new contracts.SeatReservation(address, grpc.credentials.createInsecure(), {
      // Notice a dead peer quickly instead of waiting for TCP to give up.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
  }

  prepare(request: SeatPrepareRequest, deadlineMs: number): Promise<Vote> {
    return this.vote(() => callUnary(this.client.Prepare.bind(this.client), toWire(request), deadlineMs, READY));
  }

  reserveLocal(request: SeatPrepareRequest, deadlineMs: number): Promise<Vote> {
    return this.vote(() => callUnary(this.client.Reserve.bind(this.client), toWire(request), deadlineMs, READY));
  }

  async commit(txId: string, deadlineMs: number): Promise<void> {
    await callUnary(this.client.Commit.bind(this.client), { transaction_id: txId }, deadlineMs, READY);
  }

  async abort(txId: string, deadlineMs: number): Promise<void> {
    await callUnary(this.client.Abort.bind(this.client), { transaction_id: txId }, deadlineMs, READY);
  }

  async release(txId: string, reason: string, deadlineMs: number): Promise<void> {
    await callUnary(this.client.Release.bind(this.client), { transaction_id: txId, reason }, deadlineMs, READY);
  }

  close(): void {
    this.client.close();
  }

  private async vote(call: () => Promise<PrepareResponse__Output>): Promise<Vote> {
    try {
      return fromWire(await call());
    } catch (error) {
      if (isAppError(error) && DEFINITE_REFUSALS.includes(error.code)) return { kind: 'no', reasonCode: error.code, reason: error.message };
      throw error;
    }
  }
}

function toWire(request: SeatPrepareRequest) {
  return { transaction_id: request.txId, order_id: request.orderId, event_id: request.eventId, user_id: request.userId, quantity: request.quantity };
}

function fromWire(response: PrepareResponse__Output): Vote {
  if (response.vote === 'VOTE_COMMIT') return { kind: 'yes', unitPrice: { amountMinor: parseMinor(response.unit_price_minor), currency: response.currency } };
  if (response.vote === 'VOTE_ABORT') {
    const reasonCode: ErrorCode = isErrorCode(response.reason_code) ? response.reason_code : 'CONFLICT';
    return { kind: 'no', reasonCode, reason: response.reason || 'The seats could not be reserved' };
  }
  throw new AppError('UPSTREAM_UNAVAILABLE', 'The seat reservation answered without a vote');
}
