import * as grpc from '@grpc/grpc-js';
import { traceHeaders } from '@eticket/logging';
import { fromGrpcError } from './grpc-errors';
import { metricsInterceptor } from './grpc-metrics';

type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

export interface CallOptions {
  /**
   * Wait (within the deadline) for a channel that is reconnecting instead of
   * failing at once: a peer that just restarted is reached on the first call.
   */
  readonly waitForReady?: boolean;
}

/**
 * Calls a unary method as a promise with a deadline (every call has one),
 * the current W3C trace (`traceparent`) and request id in metadata, and
 * call metrics (grpc-metrics.ts); failures become AppErrors.
 */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadlineMs: number, options: CallOptions = {}): Promise<Res> {
  // grpc-js reads waitForReady from the metadata's options, not the call options.
  const metadata = new grpc.Metadata(options.waitForReady === true ? { waitForReady: true } : undefined);
  for (const [key, value] of Object.entries(traceHeaders())) metadata.set(key, value);
  return new Promise<Res>((resolve, reject) => {
    method(request, metadata, { deadline: Date.now() + deadlineMs, interceptors: [metricsInterceptor] }, (error, response) => {
      if (error !== null) reject(fromGrpcError(error));
      else if (response === undefined) reject(fromGrpcError({ code: grpc.status.INTERNAL, details: 'empty response' }));
      else resolve(response);
    });
  });
}
