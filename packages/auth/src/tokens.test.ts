import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueAccessToken, signInternalIdentity, verifyAccessToken, verifyInternalIdentity, type Identity } from './index';

const secret = 'a'.repeat(32);
const internal = 'b'.repeat(32);
const alice: Identity = { userId: 'u-1', email: 'alice@example.com', roles: ['buyer'] };

describe('tokens', () => {
  it('verifies an access token it issued and returns the identity', async () => {
    const { token } = await issueAccessToken(alice, secret, 60);
    await expect(verifyAccessToken(token, secret)).resolves.toEqual(alice);
  });

  it('accepts a standard HS256 token signed by another JWT library (tokens issued before an upgrade stay valid)', async () => {
    const elsewhere = await new SignJWT({ email: alice.email, roles: [...alice.roles] })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(alice.userId).setIssuer('e-ticket-user-service').setAudience('e-ticket-api').setIssuedAt().setExpirationTime('1m')
      .sign(new TextEncoder().encode(secret));
    await expect(verifyAccessToken(elsewhere, secret)).resolves.toEqual(alice);
  });

  it('refuses a token signed with another secret', async () => {
    const { token } = await issueAccessToken(alice, 'c'.repeat(32), 60);
    await expect(verifyAccessToken(token, secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses an expired token with a message that says so', async () => {
    const { token } = await issueAccessToken(alice, secret, -10);
    await expect(verifyAccessToken(token, secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
  });

  it('refuses an internal assertion presented as an access token and vice versa', async () => {
    const assertion = await signInternalIdentity(alice, secret);
    await expect(verifyAccessToken(assertion, secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const { token } = await issueAccessToken(alice, internal, 60);
    await expect(verifyInternalIdentity(token, internal)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token whose roles were invented', async () => {
    const forged = await new SignJWT({ email: 'x@y.z', roles: ['superuser'] })
      .setProtectedHeader({ alg: 'HS256' }).setSubject('u-2').setIssuer('e-ticket-user-service').setAudience('e-ticket-api').setExpirationTime('1m')
      .sign(new TextEncoder().encode(secret));
    await expect(verifyAccessToken(forged, secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses the unsigned "none" algorithm', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'u-1', email: 'a@b.c', roles: ['admin'], iss: 'e-ticket-user-service', aud: 'e-ticket-api' })).toString('base64url');
    await expect(verifyAccessToken(`${header}.${body}.`, secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
