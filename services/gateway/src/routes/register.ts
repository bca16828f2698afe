import type { FastifyInstance, FastifySchema, onRequestAsyncHookHandler, onRequestHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate } from '../auth/edge-auth';
import { forwardedContext } from '../auth/identity-assertion';
import { proxy, type ProxyDeps } from '../proxy/forward';
import type { GatewayRoute, TimeoutClass } from './table';

export interface RouteSettings {
  readonly jwtSecret: string;
  readonly internalSecret: string;
  readonly timeoutsMs: Readonly<Record<TimeoutClass, number>>;
  /** Runs after authentication, before the body is read. */
  readonly rateLimit: onRequestAsyncHookHandler;
  /** Sets helmet's headers, computed once (security-headers.ts); the routes skip the helmet plugin. */
  readonly securityHeaders: onRequestHookHandler;
  /** Extra gates after validation, by `METHOD url` (the waiting room on POST /order). */
  readonly preHandlers?: Readonly<Record<string, preHandlerAsyncHookHandler>>;
}

function openApiSchema(route: GatewayRoute): FastifySchema {
  const security: Record<string, string[]>[] = route.auth === 'required' ? [{ bearerAuth: [] }] : route.auth === 'optional' ? [{}, { bearerAuth: [] }] : [];
  return { ...route.schema, security };
}

/**
 * Registers every route of the table. Authentication runs first (onRequest,
 * before the body is even read), then the rate limit (keyed by the caller it
 * established), then Fastify validates against the route's schemas, then the
 * request is proxied.
 */
export function registerRoutes(app: FastifyInstance, routes: readonly GatewayRoute[], deps: ProxyDeps, settings: RouteSettings): void {
  app.decorateRequest('identity', null);
  for (const route of routes) {
    const target = {
      upstream: route.upstream,
      timeoutMs: settings.timeoutsMs[route.timeout],
      // A route without a body schema takes no body: nothing unvalidated goes through.
      withBody: route.schema.body !== undefined,
      staleIfError: route.staleIfError === true,
      label: `${route.method} ${route.url}`,
    };
    app.route({
      method: route.method,
      url: route.url,
      schema: openApiSchema(route),
      helmet: false,
      onRequest: [
        settings.securityHeaders,
        async (request) => {
          request.identity = await authenticate(request, route, settings.jwtSecret);
        },
        settings.rateLimit,
      ],
      ...(settings.preHandlers?.[target.label] === undefined ? {} : { preHandler: settings.preHandlers[target.label] }),
      handler: async (request, reply) => {
        const context = await forwardedContext(request.identity, request.trace, request.ip, settings.internalSecret);
        return proxy(request, reply, target, context, deps);
      },
    });
  }
}
