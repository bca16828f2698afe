import * as grpc from '@grpc/grpc-js';
import { loadOrderContracts, unaryHandler } from '@eticket/contracts';
import type { GetDecisionRequest__Output } from '@eticket/contracts/generated/eticket/order/v1/GetDecisionRequest';
import type { GetDecisionResponse } from '@eticket/contracts/generated/eticket/order/v1/GetDecisionResponse';
import { AppError } from '@eticket/errors';
import { isUuid } from '../domain/ids';
import type { Recovery } from '../domain/recovery';

const ANSWERS = { commit: 'DECISION_COMMIT', abort: 'DECISION_ABORT', pending: 'DECISION_PENDING' } as const;

/** TransactionCoordinator: participants holding a prepared transaction too long ask here for the outcome. */
export function createCoordinatorServer(recovery: Recovery): grpc.Server {
  const server = new grpc.Server();
  server.addService(loadOrderContracts().TransactionCoordinator.service, {
    GetDecision: unaryHandler(async (request: GetDecisionRequest__Output): Promise<GetDecisionResponse> => {
      if (!isUuid(request.transaction_id)) throw new AppError('VALIDATION_FAILED', 'transaction_id must be a UUID');
      const answer = await recovery.decisionFor(request.transaction_id);
      return { transaction_id: request.transaction_id, decision: ANSWERS[answer] };
    }),
  });
  return server;
}

export function bindServer(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
  });
}
