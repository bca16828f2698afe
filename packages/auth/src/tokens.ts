import { AppError } from '@eticket/errors';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { isRole, type Identity } from './identity';

const ALGORITHM = 'HS256';
const ACCESS_AUDIENCE = 'e-ticket-api';
const INTERNAL_AUDIENCE = 'e-ticket-internal';
const ISSUER_USER_SERVICE = 'e-ticket-user-service';
const ISSUER_GATEWAY = 'e-ticket-gateway';

/**
 * Two kinds of token, each with its own secret:
 * - the access token, issued by the User Service at login and verified once by
 *   the gateway;
 * - the internal identity assertion, minted by the gateway per request and
 *   verified by the services behind it. A client cannot forge it because it
 *   never holds the internal secret, and the gateway drops any such header a
 *   client sends.
 */
export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

const key = (secret: string): Uint8Array => new TextEncoder().encode(secret);

async function sign(identity: Identity, secret: string, issuer: string, audience: string, ttlSeconds: number): Promise<IssuedToken> {
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const token = await new SignJWT({ email: identity.email, roles: [...identity.roles] })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(identity.userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key(secret));
  return { token, expiresAt };
}

function identityFrom(payload: JWTPayload): Identity {
  const roles = payload.roles;
  if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !Array.isArray(roles) || !roles.every(isRole)) {
    throw new AppError('UNAUTHENTICATED', 'The token does not carry a valid identity');
  }
  return { userId: payload.sub, email: payload.email, roles };
}

async function verify(token: string, secret: string, issuer: string, audience: string): Promise<Identity> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: [ALGORITHM], issuer, audience });
    return identityFrom(payload);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const detail = error instanceof joseErrors.JWTExpired ? 'The token has expired; log in again' : 'The token is not valid';
    throw new AppError('UNAUTHENTICATED', detail);
  }
}

export const issueAccessToken = (identity: Identity, secret: string, ttlSeconds: number): Promise<IssuedToken> =>
  sign(identity, secret, ISSUER_USER_SERVICE, ACCESS_AUDIENCE, ttlSeconds);

export const verifyAccessToken = (token: string, secret: string): Promise<Identity> => verify(token, secret, ISSUER_USER_SERVICE, ACCESS_AUDIENCE);

/** Internal assertions live just long enough to cross one hop. */
const INTERNAL_TTL_SECONDS = 60;

export const signInternalIdentity = async (identity: Identity, secret: string): Promise<string> =>
  (await sign(identity, secret, ISSUER_GATEWAY, INTERNAL_AUDIENCE, INTERNAL_TTL_SECONDS)).token;

export const verifyInternalIdentity = (token: string, secret: string): Promise<Identity> => verify(token, secret, ISSUER_GATEWAY, INTERNAL_AUDIENCE);
