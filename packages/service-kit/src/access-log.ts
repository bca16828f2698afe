import { scrubQuery } from '@eticket/logging';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * One line per answered request in ECS fields, at info (5xx at warn):
 * method, route pattern, path, query (secret parameters such as the
 * WebSocket's `?token=` scrubbed), status, duration, client address, and the
 * request's trace (written explicitly: the response may finish outside the
 * request's asynchronous context). Headers are never logged.
 */
export function logAccess(request: FastifyRequest, reply: FastifyReply): void {
  const level = reply.statusCode >= 500 ? 'warn' : 'info';
  // At the production level (warn) most requests write no line: do not build one for nothing.
  if ((request.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(level) === false) return;
  const line: Record<string, unknown> = {
    ...urlFields(request),
    'http.request.method': request.method,
    'http.request.id': request.id,
    'http.response.status_code': reply.statusCode,
    'event.duration': Math.round(reply.elapsedTime * 1e6),
    // Milliseconds, under the name Fastify's own access line used (dashboards read it).
    'responseTime': reply.elapsedTime,
    'client.ip': request.ip,
  };
  const route = request.routeOptions.url;
  if (route !== undefined) line['http.route'] = route;
  // Set, not left to the mixin: onResponse may run after the request's asynchronous context has ended.
  line['trace.id'] = request.trace.traceId;
  line['span.id'] = request.trace.spanId;
  request.log[level](line, 'request completed');
}

/**
 * A WebSocket upgrade: its reply is taken over by the socket, so no
 * "request completed" line follows; this line, at arrival, records it in the
 * request's trace (the gateway's, carried by traceparent).
 */
export function logUpgrade(request: FastifyRequest): void {
  const line = { ...urlFields(request), 'http.request.method': request.method, 'client.ip': request.ip, 'trace.id': request.trace.traceId, 'span.id': request.trace.spanId };
  request.log.info(line, 'websocket upgrade');
}

function urlFields(request: FastifyRequest): Record<string, string> {
  const url = request.url;
  const question = url.indexOf('?');
  if (question === -1) return { 'url.path': url };
  return { 'url.path': url.slice(0, question), 'url.query': scrubQuery(url.slice(question + 1)) };
}
