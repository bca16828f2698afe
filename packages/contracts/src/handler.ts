import * as grpc from '@grpc/grpc-js';
import { continueTrace, CORRELATION_HEADER, correlationIdFrom, runWithTrace, TRACEPARENT_HEADER } from '@eticket/logging';
import { toGrpcError } from './grpc-errors';
import { observeServerCall } from './grpc-metrics';

/**
 * Adapts an async handler to grpc-js: continues the caller's W3C trace from
 * the `traceparent` metadata (a new trace without one) for the duration of
 * the call, times it (grpc-metrics.ts), and turns thrown AppErrors into gRPC statuses.
 */
export function unaryHandler<Req, Res>(handle: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const requestId = call.metadata.get(CORRELATION_HEADER)[0];
    const trace = continueTrace(call.metadata.get(TRACEPARENT_HEADER)[0], requestId === undefined ? undefined : correlationIdFrom(requestId));
    const started = performance.now();
    const method = call.getPath();
    runWithTrace(trace, () => {
      handle(call.request).then(
        (response) => {
          observeServerCall(method, grpc.status.OK, (performance.now() - started) / 1000);
          callback(null, response);
        },
        (error: unknown) => {
          const status = toGrpcError(error);
          observeServerCall(method, status.code ?? grpc.status.UNKNOWN, (performance.now() - started) / 1000);
          callback(status);
        },
      );
    });
  };
}
