import { userApi, type ApiRoute, type ApiSchema } from '@eticket/contracts';
import type { AuthRule } from '../auth/edge-auth';
import type { UpstreamName } from '../proxy/upstream-resolver';

type Method = ApiRoute['method'] | 'PATCH';

/** One public route: where it goes, who may call it and (when known) the schemas that validate and document it. */
export interface GatewayRoute extends AuthRule {
  readonly method: Method;
  readonly url: string;
  readonly upstream: UpstreamName;
  /** Validated at the edge and published in OpenAPI; absent for routes passed through to a service that validates them. */
  readonly schema?: ApiSchema;
  /** For pass-through routes: what the OpenAPI document says about them. */
  readonly summary?: string;
  /** Left out of the OpenAPI document (catch-alls). */
  readonly hidden?: boolean;
}

const served = (route: ApiRoute, upstream: UpstreamName, rule: AuthRule): GatewayRoute =>
  ({ method: route.method, url: route.url, schema: route.schema, upstream, ...rule });

const PASS_THROUGH_METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Routes of a service whose HTTP schemas are not in packages/contracts yet:
 * the seed's paths are documented by name, every other path under the same
 * prefix is forwarded too, and the service validates. Replace an entry with
 * `served(orderApi.x, ...)` once the schema exists.
 */
function passThrough(prefixes: readonly string[], documented: readonly [Method, string, string][], upstream: UpstreamName, rule: AuthRule): GatewayRoute[] {
  const named = documented.map(([method, url, summary]): GatewayRoute => ({ method, url, summary, upstream, ...rule }));
  const isDocumented = (method: Method, url: string) => documented.some(([m, u]) => m === method && u === url);
  const catchAll = prefixes.flatMap((prefix) => [prefix, `${prefix}/*`].flatMap((url) => PASS_THROUGH_METHODS
    .filter((method) => !isDocumented(method, url))
    .map((method): GatewayRoute => ({ method, url, upstream, hidden: true, ...rule }))));
  return [...named, ...catchAll];
}

/** THE route table: registration, proxying, edge authentication and the OpenAPI document all come from it. */
export const ROUTES: readonly GatewayRoute[] = [
  served(userApi.register, 'user', { auth: 'none' }),
  served(userApi.login, 'user', { auth: 'none' }),
  served(userApi.getUser, 'user', { auth: 'required' }),
  served(userApi.listUsers, 'user', { auth: 'required', roles: ['admin'] }),
  served(userApi.grantOrganizer, 'user', { auth: 'required', roles: ['admin'] }),
  served(userApi.revokeOrganizer, 'user', { auth: 'required', roles: ['admin'] }),
  served(userApi.createEvent, 'user', { auth: 'required', roles: ['organizer', 'admin'] }),
  // Optional: an organizer's reads go to the primary and see their own new events at once.
  served(userApi.listEvents, 'user', { auth: 'optional' }),
  served(userApi.getEvent, 'user', { auth: 'optional' }),
  ...passThrough(
    ['/order', '/payment'],
    [
      ['POST', '/order', 'Place an order (Ticket Order Service)'],
      ['GET', '/order/:id', 'Get an order (Ticket Order Service)'],
      ['POST', '/payment', 'Pay for an order (Ticket Order Service)'],
      ['GET', '/payment/:id', 'Get a payment (Ticket Order Service)'],
    ],
    'order',
    { auth: 'required' },
  ),
];
