import type { FastifyError, FastifyInstance, FastifySchema, onRequestAsyncHookHandler, onRequestHookHandler, onSendHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate, type AuthRule } from '../auth/edge-auth';
import { anonymousContext, forwardedContext } from '../auth/identity-assertion';
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
 * Edge authentication as an onRequest hook. A request without a token on a
 * route that does not require one (the public reads, most of the traffic)
 * is settled at once, without a promise; the rest goes through authenticate().
 */
function authenticationHook(rule: AuthRule, jwtSecret: string): onRequestHookHandler {
  return (request, _reply, done) => {
    if (rule.auth === 'none' || (rule.auth === 'optional' && !request.headers.authorization)) {
      request.identity = null;
      done();
      return;
    }
    authenticate(request, rule, jwtSecret).then((identity) => {
      request.identity = identity;
      done();
    }, (error: unknown) => done(error as FastifyError));
  };
}

/**
 * `Server-Timing: total;dur=<ms>`: how long the gateway took over the request, from its arrival (onRequest) to
 * the answer (after the waiting room's `queue;dur`, if it queued). A client, a browser's developer tools or a
 * benchmark then sees the system's own time apart from its own delays and the network's (the on-sale bench's
 * load generator shares the machine it measures, and its event-loop delay is in every latency it takes).
 */
const serverTiming: onSendHookHandler = (_request, reply, payload, done) => {
  const total = `total;dur=${reply.elapsedTime.toFixed(1)}`;
  const before = reply.getHeader('server-timing');
  void reply.header('server-timing', before === undefined ? total : `${String(before)}, ${total}`);
  done(null, payload);
};

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
        authenticationHook(route, settings.jwtSecret),
        settings.rateLimit,
      ],
      ...(settings.preHandlers?.[target.label] === undefined ? {} : { preHandler: settings.preHandlers[target.label] }),
      onSend: serverTiming,
      handler: (request, reply) => {
        if (request.identity === null) return proxy(request, reply, target, anonymousContext(request.trace, request.ip), deps);
        const signed = forwardedContext(request.identity, request.trace, request.ip, settings.internalSecret);
        return signed.then((context) => proxy(request, reply, target, context, deps));
      },
    });
  }
}
