import type * as grpc from '@grpc/grpc-js';
import { CORRELATION_HEADER, correlationIdFrom, runWithCorrelationId } from '@eticket/logging';
import { toGrpcError } from './grpc-errors';

/**
 * Adapts an async handler to grpc-js: binds the caller's correlation id for
 * the duration of the call and turns thrown AppErrors into gRPC statuses.
 */
export function unaryHandler<Req, Res>(handle: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const correlationId = correlationIdFrom(call.metadata.get(CORRELATION_HEADER)[0]);
    runWithCorrelationId(correlationId, () => {
      handle(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcError(error)),
      );
    });
  };
}
