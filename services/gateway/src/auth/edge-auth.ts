import { hasRole, verifyAccessToken, type Identity, type Role } from '@eticket/auth';
import { AppError } from '@eticket/errors';
import type { FastifyRequest } from 'fastify';

/** none: public, a token is ignored; optional: public, a token (if any) must be valid; required: a valid token is needed. */
export type AuthRequirement = 'none' | 'optional' | 'required';

export interface AuthRule {
  readonly auth: AuthRequirement;
  /** Coarse role check at the edge; the service checks again (and checks ownership). */
  readonly roles?: readonly Role[];
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;
const MAX_TOKEN_LENGTH = 4096;

/**
 * Verifies the access token once, at the edge, and returns the caller's
 * identity (null for an anonymous request where that is allowed). A token
 * that is present but bad is refused even on public routes, so a client
 * never silently acts anonymously by mistake.
 */
export async function authenticate(request: FastifyRequest, rule: AuthRule, jwtSecret: string): Promise<Identity | null> {
  if (rule.auth === 'none') return null;
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    if (rule.auth === 'required') throw new AppError('UNAUTHENTICATED', 'Log in to do this: send Authorization: Bearer <access token>');
    return null;
  }
  const token = header.length <= MAX_TOKEN_LENGTH + 7 ? BEARER.exec(header)?.[1] : undefined;
  if (token === undefined) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <access token>"');
  const identity = await verifyAccessToken(token, jwtSecret);
  if (rule.roles !== undefined && !hasRole(identity, ...rule.roles)) throw new AppError('FORBIDDEN', `This needs the ${rule.roles.join(' or ')} role`);
  return identity;
}
