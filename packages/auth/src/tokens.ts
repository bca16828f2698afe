import { AppError } from '@eticket/errors';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
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
 *
 * Signed and verified with fast-jwt (HS256 on node:crypto, synchronous), not
 * jose: jose's WebCrypto path imports the key and runs the HMAC as an
 * asynchronous job on every call, ~100–200 µs a signature or check on this
 * machine against ~10 µs, and every proxied request did three (the access
 * token, the assertion signed, the assertion checked) — a quarter of the
 * gateway's CPU under an on-sale rush. The tokens are the same standard JWTs.
 */
export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

type Sign = (payload: Record<string, unknown>) => string;
type Verify = (token: string) => Record<string, unknown>;

/** One signer and one verifier per secret, issuer and audience (a handful per process), built once. */
const signers = new Map<string, Sign>();
const verifiers = new Map<string, Verify>();
const MAX_CACHED = 64;

function signerFor(secret: string, issuer: string, audience: string): Sign {
  const id = `${issuer}\u0000${audience}\u0000${secret}`;
  let sign = signers.get(id);
  if (sign === undefined) {
    if (signers.size >= MAX_CACHED) signers.clear();
    sign = createSigner<Record<string, unknown>>({ key: secret, algorithm: ALGORITHM, iss: issuer, aud: audience });
    signers.set(id, sign);
  }
  return sign;
}

function verifierFor(secret: string, issuer: string, audience: string): Verify {
  const id = `${issuer}\u0000${audience}\u0000${secret}`;
  let verify = verifiers.get(id);
  if (verify === undefined) {
    if (verifiers.size >= MAX_CACHED) verifiers.clear();
    const check = createVerifier<string>({ key: secret, algorithms: [ALGORITHM], allowedIss: issuer, allowedAud: audience, requiredClaims: ['exp', 'sub'] });
    verify = (token) => check(token) as Record<string, unknown>;
    verifiers.set(id, verify);
  }
  return verify;
}

function sign(identity: Identity, secret: string, issuer: string, audience: string, ttlSeconds: number): Promise<IssuedToken> {
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const claims = { email: identity.email, roles: [...identity.roles], sub: identity.userId, exp: Math.floor(expiresAt.getTime() / 1000) };
  const token = signerFor(secret, issuer, audience)(claims);
  return Promise.resolve({ token, expiresAt });
}

function identityFrom(payload: Record<string, unknown>): Identity {
  const roles = payload.roles;
  if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !Array.isArray(roles) || !roles.every(isRole)) {
    throw new AppError('UNAUTHENTICATED', 'The token does not carry a valid identity');
  }
  return { userId: payload.sub, email: payload.email, roles };
}

function verify(token: string, secret: string, issuer: string, audience: string): Promise<Identity> {
  try {
    return Promise.resolve(identityFrom(verifierFor(secret, issuer, audience)(token)));
  } catch (error) {
    if (error instanceof AppError) return Promise.reject(error);
    const expired = error instanceof TokenError && error.code === TokenError.codes.expired;
    return Promise.reject(new AppError('UNAUTHENTICATED', expired ? 'The token has expired; log in again' : 'The token is not valid'));
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
