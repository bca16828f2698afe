import * as grpc from '@grpc/grpc-js';
import { CORRELATION_HEADER, currentCorrelationId } from '@eticket/logging';
import { fromGrpcError } from './grpc-errors';

type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/**
 * Calls a unary method as a promise with a deadline (every call has one) and
 * the current correlation id in metadata; failures become AppErrors.
 */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs: number): Promise<Res> {
  const metadata = new grpc.Metadata();
  const correlationId = currentCorrelationId();
  if (correlationId !== undefined) metadata.set(CORRELATION_HEADER, correlationId);
  return new Promise<Res>((resolve, reject) => {
    method(request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error !== null) reject(fromGrpcError(error));
      else if (response === undefined) reject(fromGrpcError({ code: grpc.status.INTERNAL, details: 'empty response' }));
      else resolve(response);
    });
  });
}
