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
  const url = request.url;
  const question = url.indexOf('?');
  const line: Record<string, unknown> = {
    'http.request.method': request.method,
    'http.request.id': request.id,
    'http.response.status_code': reply.statusCode,
    'url.path': question === -1 ? url : url.slice(0, question),
    'event.duration': Math.round(reply.elapsedTime * 1e6),
    // Milliseconds, under the name Fastify's own access line used (dashboards read it).
    'responseTime': reply.elapsedTime,
    'client.ip': request.ip,
  };
  if (question !== -1) line['url.query'] = scrubQuery(url.slice(question + 1));
  const route = request.routeOptions.url;
  if (route !== undefined) line['http.route'] = route;
  // Set, not left to the mixin: onResponse may run after the request's asynchronous context has ended.
  line['trace.id'] = request.trace.traceId;
  line['span.id'] = request.trace.spanId;
  if (reply.statusCode >= 500) request.log.warn(line, 'request completed');
  else request.log.info(line, 'request completed');
}
