import { continueTrace, CORRELATION_HEADER, enterTrace, formatTraceparent, TRACEPARENT_HEADER, type TraceContext } from '@eticket/logging';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The W3C trace this request belongs to, with this service's span (see packages/logging/src/trace-context.ts). */
    trace: TraceContext;
  }
}

/**
 * Continues the caller's trace (its `traceparent`, when valid) or starts one,
 * binds it for every log line written while serving the request, and
 * answers with the request id and `traceresponse` (W3C Trace Context
 * level 2), so a client can quote the trace id to find its request in the logs.
 */
export function bindTrace(app: FastifyInstance): void {
  app.decorateRequest('trace', null as unknown as TraceContext);
  app.addHook('onRequest', (request, reply, done) => {
    const trace = continueTrace(request.headers[TRACEPARENT_HEADER], request.id);
    request.trace = trace;
    enterTrace(trace);
    void reply.header(CORRELATION_HEADER, request.id);
    void reply.header('traceresponse', formatTraceparent(trace));
    done();
  });
}
