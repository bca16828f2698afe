import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@eticket/logging';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Seconds: a directory look-up takes milliseconds, a Prepare waits up to its 2PC timeout. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface GrpcMetricSet {
  /** One line per served call (the gRPC counterpart of the HTTP access line), in the caller's trace. */
  readonly logger: Pick<Logger, 'info' | 'warn'> | undefined;
  readonly clientCalls: Counter<'method' | 'code'>;
  readonly clientDuration: Histogram<'method'>;
  readonly serverCalls: Counter<'method' | 'code'>;
  readonly serverDuration: Histogram<'method'>;
}

/**
 * Registries that receive gRPC call metrics. callUnary and unaryHandler are
 * plain functions used throughout the services, so the metrics are reached
 * through this process-wide list rather than passed to every call site; a
 * service process calls instrumentGrpc once with its registry. (A test that
 * runs two services in one process sees the calls of both in each.)
 */
const instrumented = new Map<Registry, GrpcMetricSet>();

/**
 * Adds to `registry`:
 * - eticket_grpc_client_calls_total{method,code}, eticket_grpc_client_duration_seconds{method}
 * - eticket_grpc_server_calls_total{method,code}, eticket_grpc_server_duration_seconds{method}
 * where method is the full path (`/eticket.user.v1.SeatReservation/Prepare`) and code the gRPC status name;
 * with a logger, one line per served call (`rpc.method`, `rpc.code`, `event.duration`), written
 * within the caller's trace, so the trace id of a buyer's request reaches this service's log.
 */
export function instrumentGrpc(registry: Registry, logger?: Pick<Logger, 'info' | 'warn'>): void {
  if (instrumented.has(registry)) return;
  const registers = [registry];
  instrumented.set(registry, {
    logger,
    clientCalls: new Counter({ name: 'eticket_grpc_client_calls_total', help: 'gRPC calls made, by method and status', labelNames: ['method', 'code'], registers }),
    clientDuration: new Histogram({ name: 'eticket_grpc_client_duration_seconds', help: 'gRPC calls made: time to the status', labelNames: ['method'], buckets: BUCKETS, registers }),
    serverCalls: new Counter({ name: 'eticket_grpc_server_calls_total', help: 'gRPC calls served, by method and status', labelNames: ['method', 'code'], registers }),
    serverDuration: new Histogram({ name: 'eticket_grpc_server_duration_seconds', help: 'gRPC calls served: handling time', labelNames: ['method'], buckets: BUCKETS, registers }),
  });
}

/** Stops recording into `registry` (a service that closes). */
export function uninstrumentGrpc(registry: Registry): void {
  instrumented.delete(registry);
}

const statusName = (code: grpc.status): string => grpc.status[code] ?? String(code);

/** Failures that say something is wrong here rather than with the request. */
const SERVER_FAULTS = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.DATA_LOSS]);

export function observeServerCall(method: string, code: grpc.status, seconds: number): void {
  for (const set of instrumented.values()) {
    set.serverCalls.inc({ method, code: statusName(code) });
    set.serverDuration.observe({ method }, seconds);
    if (set.logger === undefined) continue;
    const line = { 'rpc.system': 'grpc', 'rpc.method': method, 'rpc.code': statusName(code), 'event.duration': Math.round(seconds * 1e9) };
    if (SERVER_FAULTS.has(code)) set.logger.warn(line, 'grpc call served');
    else set.logger.info(line, 'grpc call served');
  }
}

/** A client interceptor that times every call to its status; cheap when nothing is instrumented. */
export const metricsInterceptor: grpc.Interceptor = (options, nextCall) => {
  const method = options.method_definition.path;
  const started = performance.now();
  return new grpc.InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      // A partial listener: grpc-js passes everything else on to `listener` unchanged.
      next(metadata, {
        onReceiveStatus(status, nextStatus) {
          const seconds = (performance.now() - started) / 1000;
          for (const set of instrumented.values()) {
            set.clientCalls.inc({ method, code: statusName(status.code) });
            set.clientDuration.observe({ method }, seconds);
          }
          nextStatus(status);
        },
      });
    },
  });
};
