import { orderApi, reportsApi, userApi, type ApiRoute, type ApiSchema } from '@eticket/contracts';
import type { AuthRule } from '../auth/edge-auth';
import type { UpstreamName } from '../upstreams/directory';

/**
 * Deadline class of a route (GATEWAY ROUTE_TIMEOUT_READ_MS, default 2 s, and
 * ROUTE_TIMEOUT_WRITE_MS, default 10 s): a read that takes longer is better
 * answered 504 than kept waiting; writes include a two-phase commit or a
 * deliberately slow password hash.
 */
export type TimeoutClass = 'read' | 'write';

/** One public route: where it goes, who may call it, and the schemas that validate and document it. */
export interface GatewayRoute extends AuthRule {
  readonly method: ApiRoute['method'];
  readonly url: string;
  readonly upstream: UpstreamName;
  /** The service's own schemas from packages/contracts: validated at the edge and published in OpenAPI. */
  readonly schema: ApiSchema;
  readonly timeout: TimeoutClass;
  /** Serve the last good answer (marked stale) when the upstream cannot answer. */
  readonly staleIfError?: true;
}

interface RouteOptions extends AuthRule {
  readonly staleIfError?: true;
}

const served = (route: ApiRoute, upstream: UpstreamName, { staleIfError, ...rule }: RouteOptions): GatewayRoute => ({
  method: route.method,
  url: route.url,
  schema: route.schema,
  upstream,
  timeout: route.method === 'GET' ? 'read' : 'write',
  ...(staleIfError === undefined ? {} : { staleIfError }),
  ...rule,
});

/**
 * THE route table: registration, proxying, edge authentication and the
 * OpenAPI document all come from it. A path that is not here answers 404 at
 * the edge, so nothing unvalidated reaches a service.
 */
export const ROUTES: readonly GatewayRoute[] = [
  served(userApi.register, 'user', { auth: 'none' }),
  served(userApi.login, 'user', { auth: 'none' }),
  served(userApi.getUser, 'user', { auth: 'required' }),
  served(userApi.listUsers, 'user', { auth: 'required', roles: ['admin'] }),
  served(userApi.grantOrganizer, 'user', { auth: 'required', roles: ['admin'] }),
  served(userApi.revokeOrganizer, 'user', { auth: 'required', roles: ['admin'] }),
  served(userApi.createEvent, 'user', { auth: 'required', roles: ['organizer', 'admin'] }),
  // Optional: an organizer's reads go to the primary and see their own new events at once. The answer is
  // the same for every caller, so the last good one may stand in while the User Service is unreachable.
  served(userApi.listEvents, 'user', { auth: 'optional', staleIfError: true }),
  served(userApi.getEvent, 'user', { auth: 'optional', staleIfError: true }),
  // The caller's notification history and event subscriptions (the WebSocket itself: proxy/websocket.ts).
  served(userApi.listNotifications, 'user', { auth: 'required' }),
  served(userApi.subscribeEvent, 'user', { auth: 'required' }),
  served(userApi.unsubscribeEvent, 'user', { auth: 'required' }),
  served(userApi.listSubscriptions, 'user', { auth: 'required' }),
  // Every order route needs a caller; ownership (buyer or admin) is the order service's check.
  served(orderApi.placeOrder, 'order', { auth: 'required' }),
  served(orderApi.listOrders, 'order', { auth: 'required' }),
  served(orderApi.getOrder, 'order', { auth: 'required' }),
  served(orderApi.cancelOrder, 'order', { auth: 'required' }),
  served(orderApi.pay, 'order', { auth: 'required' }),
  served(orderApi.getPayment, 'order', { auth: 'required' }),
  // Reports from the data warehouse (the ETL service), for admins; the service checks the role again.
  ...Object.values(reportsApi).map((route) => served(route, 'etl', { auth: 'required', roles: ['admin'] })),
];
