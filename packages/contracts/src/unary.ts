import * as grpc from '@grpc/grpc-js';
import { CORRELATION_HEADER, currentCorrelationId } from '@eticket/logging';
import { fromGrpcError } from './grpc-errors';

type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

export interface CallOptions {
  /**
   * Wait (within the deadline) for a channel that is reconnecting instead of
   * failing at once: a peer that just restarted is reached on the first call.
   */
  readonly waitForReady?: boolean;
}

/**
 * Calls a unary method as a promise with a deadline (every call has one) and
 * the current correlation id in metadata; failures become AppErrors.
 */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs: number, options: CallOptions = {}): Promise<Res> {
  // grpc-js reads waitForReady from the metadata's options, not the call options.
  const metadata = new grpc.Metadata(options.waitForReady === true ? { waitForReady: true } : undefined);
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
