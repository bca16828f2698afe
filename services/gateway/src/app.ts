import type { Logger } from '@eticket/logging';
import { createHttpApp, registerStatusRoutes, type HttpApp } from '@eticket/service-kit';
import helmet from '@fastify/helmet';
import type { GatewayConfig } from './config';
import { registerOpenApi } from './openapi';
import { registerProxy } from './proxy/forward';
import { keepRawJsonBodies } from './proxy/raw-body';
import { StaticUpstreamResolver, type UpstreamResolver } from './proxy/upstream-resolver';
import { registerRoutes } from './routes/register';
import { ROUTES, type GatewayRoute } from './routes/table';
import { upstreamChecks } from './status';

export interface GatewayDeps {
  readonly logger: Logger;
  readonly resolver?: UpstreamResolver;
  readonly routes?: readonly GatewayRoute[];
  readonly version?: string;
}

/** Builds the gateway (plugins, route table, status, docs); nothing listens yet. */
export async function buildGateway(config: GatewayConfig, deps: GatewayDeps): Promise<HttpApp> {
  const resolver = deps.resolver ?? new StaticUpstreamResolver({ user: config.USER_SERVICE_HTTP_URL, order: config.ORDER_SERVICE_HTTP_URL });
  const app = createHttpApp({ logger: deps.logger, bodyLimit: config.BODY_LIMIT_BYTES, requestTimeoutMs: config.REQUEST_TIMEOUT_MS });
  await app.register(helmet);
  keepRawJsonBodies(app);
  await registerProxy(app, { timeoutMs: config.UPSTREAM_TIMEOUT_MS, connections: config.UPSTREAM_CONNECTIONS });
  await registerOpenApi(app, deps.version ?? '0.1.0');
  registerRoutes(app, deps.routes ?? ROUTES, resolver, {
    jwtSecret: config.JWT_SECRET,
    internalSecret: config.INTERNAL_AUTH_SECRET,
    upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  registerStatusRoutes(app, 'gateway', config.SERVICE_INSTANCE, upstreamChecks(resolver));
  return app;
}
