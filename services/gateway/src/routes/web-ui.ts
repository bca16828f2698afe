import { AppError } from '@eticket/errors';
import { MAX_PARAM_LENGTH, sendProblem } from '@eticket/service-kit';
import type { FastifyInstance } from 'fastify';
import { anonymousContext } from '../auth/identity-assertion';
import { proxy, type ProxyDeps } from '../proxy/forward';
import type { RouteSettings } from './register';
import type { GatewayRoute } from './table';

/**
 * First path segments that belong to the API or to the gateway itself. The
 * route table's own are added from the table; these are the gateway's pages
 * the waiting room's /queue, and the notification endpoints of the fixed notification contract (served
 * by the User Service through routes of their own). A request under one of
 * them that no API route matched stays a 404 problem at the edge: the UI
 * never answers for an API path, so a typo in an API call cannot come back
 * as an HTML page with status 200.
 */
const GATEWAY_SEGMENTS = ['status', 'metrics', 'docs', 'openapi.json', 'notification', 'notifications', 'subscribe', 'queue'];

/** The first segments the web UI must not answer for. */
export function apiSegments(routes: readonly GatewayRoute[]): ReadonlySet<string> {
  return new Set([...GATEWAY_SEGMENTS, ...routes.map((route) => route.url.split('/')[1] ?? '')].filter((segment) => segment !== ''));
}

/** Whether a request path (query included or not) falls under the API. */
export function isApiPath(url: string, segments: ReadonlySet<string>): boolean {
  const path = url.split('?')[0] ?? '';
  const first = path.split('/')[1] ?? '';
  return segments.has(first);
}

/**
 * The answer for an API path that reached the wildcard. The router skips a
 * parametric route whose parameter is longer than MAX_PARAM_LENGTH and, with
 * this wildcard registered, lands here instead of raising its own error; so
 * that case answers as the router does without the wildcard (service-kit's
 * frameworkErrors): 400 naming the path, not 404.
 */
export function apiPathProblem(method: string, url: string): AppError {
  const path = url.split('?')[0] ?? '';
  if (path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) {
    const field = { field: 'path', message: 'has a parameter that is too long' };
    return new AppError('VALIDATION_FAILED', `Invalid path: ${field.message}`, { fields: [field] });
  }
  return new AppError('ROUTE_NOT_FOUND', `No route for ${method} ${path}`);
}

/**
 * The browser UI (services/web) at `/`: every GET (and HEAD) that no API
 * route matched goes to an instance of the optional `web` upstream, with the
 * same balancing, breakers, deadline and retries as any other read. Fastify
 * prefers a static or parametric route to this wildcard, so the API routes
 * always win; paths under an API segment are refused here as well (above).
 * No authentication: the UI is public files, and the browser sends its
 * token only on its API calls. The rate limit still applies (per address).
 */
export function registerWebUi(app: FastifyInstance, routes: readonly GatewayRoute[], deps: ProxyDeps, settings: RouteSettings): void {
  const segments = apiSegments(routes);
  const target = { upstream: 'web' as const, timeoutMs: settings.timeoutsMs.read, withBody: false, staleIfError: false, label: 'GET /*' };
  app.route({
    method: 'GET',
    url: '/*',
    schema: { hide: true },
    helmet: false,
    onRequest: [settings.securityHeaders, settings.rateLimit],
    handler: async (request, reply) => {
      if (isApiPath(request.url, segments)) return sendProblem(reply, request, apiPathProblem(request.method, request.url));
      return proxy(request, reply, target, anonymousContext(request.trace, request.ip), deps);
    },
  });
}
