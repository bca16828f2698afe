import * as grpc from '@grpc/grpc-js';
import { callUnary, loadOrderContracts, loadUserContracts, unaryHandler } from '@eticket/contracts';
import type { GetDecisionRequest } from '@eticket/contracts/generated/eticket/order/v1/GetDecisionRequest';
import type { GetDecisionResponse__Output } from '@eticket/contracts/generated/eticket/order/v1/GetDecisionResponse';
import type { TransactionCoordinatorClient } from '@eticket/contracts/generated/eticket/order/v1/TransactionCoordinator';
import type { ParticipantAck } from '@eticket/contracts/generated/eticket/user/v1/ParticipantAck';
import type { ParticipantState } from '@eticket/contracts/generated/eticket/user/v1/ParticipantState';
import type { PrepareRequest__Output } from '@eticket/contracts/generated/eticket/user/v1/PrepareRequest';
import type { PrepareResponse } from '@eticket/contracts/generated/eticket/user/v1/PrepareResponse';
import type { SeatReservationHandlers } from '@eticket/contracts/generated/eticket/user/v1/SeatReservation';
import type { Logger } from '@eticket/logging';
import { SeatReservations, type ParticipantVote, type ReservationRequest, type ReservationState } from '../domain/reservation';
import { DEFAULT_COORDINATOR_ADDR, loadReservationConfig, type ReservationConfig } from '../domain/reservation-config';
import { PreparedResolver, type DecisionSource } from '../domain/reservation-resolver';
import { participantHooks } from '../domain/reservation-test-hooks';
import type { Database } from '../store/db';
import { PgReservationStore } from '../store/reservation-store';
import type { ExtraGrpcService } from './server';

const STATES: Readonly<Record<ReservationState, ParticipantState>> = {
  prepared: 'PARTICIPANT_STATE_PREPARED',
  committed: 'PARTICIPANT_STATE_COMMITTED',
  released: 'PARTICIPANT_STATE_RELEASED',
  aborted: 'PARTICIPANT_STATE_ABORTED',
};

const fromWire = (request: PrepareRequest__Output): ReservationRequest => ({
  txId: request.transaction_id,
  orderId: request.order_id,
  eventId: request.event_id,
  userId: request.user_id,
  quantity: request.quantity,
});

function toWire(vote: ParticipantVote): PrepareResponse {
  return vote.commit
    ? { vote: 'VOTE_COMMIT', unit_price_minor: vote.unitPriceMinor, currency: vote.currency }
    : { vote: 'VOTE_ABORT', reason_code: vote.reasonCode, reason: vote.reason, available_seats: vote.available };
}

const ack = (transactionId: string, state: ReservationState): ParticipantAck => ({ transaction_id: transactionId, state: STATES[state] });

/** The SeatReservation gRPC service, one line each: validation and the protocol live in domain/reservation.ts. */
export function seatReservationService(reservations: SeatReservations, seatsChanged: (txId: string) => void = () => undefined): ExtraGrpcService {
  /** The seats of a transaction's event changed (committed or given back): live availability frames follow. */
  const changed = <T>(txId: string, result: T): T => {
    seatsChanged(txId);
    return result;
  };
  const implementation: SeatReservationHandlers = {
    Prepare: unaryHandler(async (request) => toWire(await reservations.prepare(fromWire(request)))),
    Reserve: unaryHandler(async (request) => changed(request.transaction_id, toWire(await reservations.reserveLocal(fromWire(request))))),
    Commit: unaryHandler(async (request) => ack(request.transaction_id, changed(request.transaction_id, await reservations.commit(request.transaction_id)))),
    Abort: unaryHandler(async (request) => ack(request.transaction_id, await reservations.abort(request.transaction_id))),
    Release: unaryHandler(async (request) => {
      const state = await reservations.release(request.transaction_id, request.reason);
      return ack(request.transaction_id, changed(request.transaction_id, state));
    }),
  };
  return { service: loadUserContracts().SeatReservation.service, implementation };
}

const DECISIONS = { DECISION_COMMIT: 'commit', DECISION_ABORT: 'abort', DECISION_PENDING: 'pending' } as const;

/** Asks the coordinator (TransactionCoordinator.GetDecision) what became of a transaction. */
export class GrpcDecisionSource implements DecisionSource {
  private readonly client: TransactionCoordinatorClient;

  constructor(address: string, private readonly deadlineMs = 3_000) {
    this.client = new (loadOrderContracts().TransactionCoordinator)(address, grpc.credentials.createInsecure());
  }

  async decisionFor(txId: string): Promise<'commit' | 'abort' | 'pending'> {
    const method = this.client.GetDecision.bind(this.client);
    const request: GetDecisionRequest = { transaction_id: txId };
    const response = await callUnary<GetDecisionRequest, GetDecisionResponse__Output>(method, request, this.deadlineMs, { waitForReady: true });
    return response.decision === 'DECISION_UNSPECIFIED' ? 'pending' : DECISIONS[response.decision];
  }

  close(): void {
    this.client.close();
  }
}

export interface ReservationParticipant {
  /** Pass to buildUserService's `extraGrpcServices`. */
  readonly grpcService: ExtraGrpcService;
  /** Starts resolving prepared transactions that outlive their bound. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Everything the participant needs, wired from its own environment variables (domain/reservation-config.ts).
 * `decisions` replaces the coordinator at ORDER_SERVICE_GRPC_ADDR (main.ts passes the discovered instances).
 */
export function createReservationParticipant(
  db: Database,
  logger: Logger,
  config: ReservationConfig = loadReservationConfig(),
  decisions: DecisionSource & { close(): void } = new GrpcDecisionSource(config.ORDER_SERVICE_GRPC_ADDR ?? DEFAULT_COORDINATOR_ADDR),
  seatsChanged: (txId: string) => void = () => undefined,
): ReservationParticipant {
  const store = new PgReservationStore(db);
  const reservations = new SeatReservations(store, participantHooks(config, logger), logger, { claimBudgetMs: config.RESERVATION_CLAIM_BUDGET_MS });
  const resolver = new PreparedResolver(store, reservations, decisions, logger, config.RESERVATION_PREPARED_MAX_AGE_MS);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const loop = (): void => {
    running = resolver.sweep()
      .then((report) => {
        if (report.committed + report.aborted + report.unreachable > 0) logger.info(report, 'prepared reservations swept');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not sweep prepared reservations'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, config.RESERVATION_SWEEP_INTERVAL_MS);
      });
  };
  return {
    grpcService: seatReservationService(reservations, seatsChanged),
    start: () => {
      stopped = false;
      loop();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      decisions.close();
    },
  };
}
