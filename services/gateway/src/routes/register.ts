import type { FastifyInstance, FastifySchema } from 'fastify';
import { authenticate } from '../auth/edge-auth';
import { forwardedContext } from '../auth/identity-assertion';
import { forward } from '../proxy/forward';
import type { UpstreamResolver } from '../proxy/upstream-resolver';
import type { GatewayRoute } from './table';

export interface RouteSettings {
  readonly jwtSecret: string;
  readonly internalSecret: string;
  readonly upstreamTimeoutMs: number;
}

function openApiSchema(route: GatewayRoute): FastifySchema {
  const security: Record<string, string[]>[] = route.auth === 'required' ? [{ bearerAuth: [] }] : route.auth === 'optional' ? [{}, { bearerAuth: [] }] : [];
  return { ...route.schema, security };
}

/**
 * Registers every route of the table. Authentication runs first (onRequest,
 * before the body is even read), then Fastify validates against the route's
 * schemas, then the request is forwarded.
 */
export function registerRoutes(app: FastifyInstance, routes: readonly GatewayRoute[], resolver: UpstreamResolver, settings: RouteSettings): void {
  app.decorateRequest('identity', null);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      schema: openApiSchema(route),
      onRequest: async (request) => {
        request.identity = await authenticate(request, route, settings.jwtSecret);
      },
      handler: async (request, reply) => {
        const context = await forwardedContext(request.identity, request.id, request.ip, settings.internalSecret);
        return forward(request, reply, {
          origin: resolver.resolve(route.upstream),
          upstream: route.upstream,
          context,
          // A route without a body schema takes no body: nothing unvalidated goes through.
          withBody: route.schema.body !== undefined,
          timeoutMs: settings.upstreamTimeoutMs,
        });
      },
    });
  }
}
