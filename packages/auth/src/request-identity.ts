import { AppError } from '@eticket/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Identity } from './identity';
import { verifyInternalIdentity } from './tokens';

/** The header through which the gateway passes the caller's verified identity to services. */
export const IDENTITY_HEADER = 'x-eticket-identity';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when the gateway vouched for one; null for anonymous requests. */
    identity: Identity | null;
  }
}

/**
 * Services trust only the gateway's signed assertion. A request with a bad or
 * expired assertion is refused outright rather than treated as anonymous.
 */
export function registerIdentity(app: FastifyInstance, internalSecret: string): void {
  app.decorateRequest('identity', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers[IDENTITY_HEADER];
    if (header === undefined) return;
    if (typeof header !== 'string') throw new AppError('UNAUTHENTICATED', 'Malformed identity');
    request.identity = await verifyInternalIdentity(header, internalSecret);
  });
}

/** The caller's identity, or UNAUTHENTICATED. */
export function requireIdentity(request: FastifyRequest): Identity {
  if (request.identity === null) throw new AppError('UNAUTHENTICATED', 'Log in to do this');
  return request.identity;
}
