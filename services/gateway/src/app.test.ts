import { randomUUID } from 'node:crypto';
import { issueAccessToken, verifyInternalIdentity, type Identity } from '@eticket/auth';
import { createLogger } from '@eticket/logging';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from './app';
import { loadConfig } from './config';
import { staticSource } from './upstreams/sources';

// The gateway against an in-process fake upstream over real HTTP: what the
// service receives, and what the client gets back when the service misbehaves.

const JWT_SECRET = 'j'.repeat(32);
const INTERNAL = 'i'.repeat(32);
const SLOW_ID = '00000000-0000-4000-8000-000000000504';
const PROBLEM_ID = '00000000-0000-4000-8000-000000000409';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string | undefined;
}

let upstream: FastifyInstance;
type App = Awaited<ReturnType<typeof buildGateway>>['app'];
let gateway: App;
let unreachableGateway: App;
const seen: Seen[] = [];

const token = async (roles: Identity['roles'], ttl = 60) => (await issueAccessToken({ userId: randomUUID(), email: 'a@example.com', roles }, JWT_SECRET, ttl)).token;
const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

beforeAll(async () => {
  upstream = Fastify();
  upstream.removeContentTypeParser('application/json');
  upstream.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  upstream.all('/*', async (request, reply) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers, body: typeof request.body === 'string' ? request.body : undefined });
    if (request.url === `/event/${SLOW_ID}`) await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (request.url === `/event/${PROBLEM_ID}`) {
      return reply.status(409).type('application/problem+json').send({ type: 'x', title: 'Conflict', status: 409, detail: 'upstream says no', code: 'CONFLICT', extra: 'kept' });
    }
    if (request.url === '/status') return { status: 'up', instance: 'fake-1' };
    return reply.header('keep-alive', 'timeout=99').send({ ok: true });
  });
  const origin = await upstream.listen({ host: '127.0.0.1', port: 0 });
  const logger = createLogger({ service: 'gateway', instance: 'test', level: 'silent' });
  const config = loadConfig({ JWT_SECRET, INTERNAL_AUTH_SECRET: INTERNAL, ROUTE_TIMEOUT_READ_MS: '300', BODY_LIMIT_BYTES: '2048' });
  ({ app: gateway } = await buildGateway(config, { logger, sources: { user: staticSource('user', origin), order: staticSource('order', origin) } }));
  // Port 9 (discard) on loopback: nothing listens, the connection is refused.
  const nowhere = 'http://127.0.0.1:9';
  ({ app: unreachableGateway } = await buildGateway(config, { logger, sources: { user: staticSource('user', nowhere), order: staticSource('order', nowhere) } }));
});

afterAll(async () => {
  await gateway.close();
  await unreachableGateway.close();
  await upstream.close();
});

const lastSeen = () => seen.at(-1)!;

describe('gateway → service', () => {
  it('drops a client-sent identity header and sends its own signed assertion of the verified caller', async () => {
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.';
    const response = await gateway.inject({ method: 'GET', url: `/event/${randomUUID()}`, headers: { ...bearer(await token(['buyer'])), 'x-eticket-identity': forged } });
    expect(response.statusCode).toBe(200);
    const assertion = lastSeen().headers['x-eticket-identity'];
    expect(assertion).not.toBe(forged);
    await expect(verifyInternalIdentity(String(assertion), INTERNAL)).resolves.toMatchObject({ roles: ['buyer'] });
  });

  it('forwards no identity at all for an anonymous caller who sent one', async () => {
    await gateway.inject({ method: 'GET', url: `/event/${randomUUID()}`, headers: { 'x-eticket-identity': 'forged' } });
    expect(lastSeen().headers).not.toHaveProperty('x-eticket-identity');
  });

  it('keeps the bearer token at the edge and replaces x-forwarded-for with the address it saw', async () => {
    await gateway.inject({ method: 'GET', url: `/user/${randomUUID()}`, headers: { ...bearer(await token(['buyer'])), 'x-forwarded-for': '6.6.6.6' } });
    expect(lastSeen().headers).not.toHaveProperty('authorization');
    expect(lastSeen().headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('forwards the caller\'s request id, and mints one when there is none', async () => {
    const kept = await gateway.inject({ method: 'GET', url: `/event/${randomUUID()}`, headers: { 'x-request-id': 'trace-abc-1' } });
    expect(lastSeen().headers['x-request-id']).toBe('trace-abc-1');
    expect(kept.headers['x-request-id']).toBe('trace-abc-1');
    const minted = await gateway.inject({ method: 'GET', url: `/event/${randomUUID()}` });
    expect(lastSeen().headers['x-request-id']).toBe(minted.headers['x-request-id']);
  });

  it('forwards the JSON body it validated byte for byte, and the query string as sent', async () => {
    const raw = '{ "password" : "correct horse battery",\n  "email": "Alice@Example.com" }';
    await gateway.inject({ method: 'POST', url: '/user/register', headers: { 'content-type': 'application/json' }, payload: raw });
    expect(lastSeen().body).toBe(raw);
    await gateway.inject({ method: 'GET', url: '/event?q=rock%20night&limit=5' });
    expect(lastSeen().url).toBe('/event?q=rock%20night&limit=5');
  });

  it('sends no body to a route that takes none', async () => {
    await gateway.inject({ method: 'PUT', url: `/user/${randomUUID()}/roles/organizer`, headers: { ...bearer(await token(['admin'])), 'content-type': 'application/json' }, payload: '{"roles":["admin"]}' });
    expect(lastSeen().body).toBeUndefined();
  });

  it('sends the order routes to the order service with the identity and the Idempotency-Key', async () => {
    const raw = `{"event_id":"${randomUUID()}","quantity":2}`;
    const headers = { ...bearer(await token(['buyer'])), 'content-type': 'application/json', 'idempotency-key': 'key-1' };
    const response = await gateway.inject({ method: 'POST', url: '/order', headers, payload: raw });
    expect(response.statusCode).toBe(200);
    expect(lastSeen()).toMatchObject({ method: 'POST', url: '/order', body: raw, headers: { 'idempotency-key': 'key-1' } });
    expect(lastSeen().headers['x-eticket-identity']).toBeDefined();
  });

  it('answers a path outside the contracts with 404 at the edge', async () => {
    const before = seen.length;
    const response = await gateway.inject({ method: 'GET', url: '/order/anything/else', headers: bearer(await token(['buyer'])) });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect(seen.length).toBe(before);
  });
});

describe('gateway ← service', () => {
  it('passes an upstream problem+json through unchanged', async () => {
    const response = await gateway.inject({ method: 'GET', url: `/event/${PROBLEM_ID}` });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toEqual({ type: 'x', title: 'Conflict', status: 409, detail: 'upstream says no', code: 'CONFLICT', extra: 'kept' });
  });

  it('answers 504 UPSTREAM_TIMEOUT when the service is too slow', async () => {
    const response = await gateway.inject({ method: 'GET', url: `/event/${SLOW_ID}` });
    expect(response.statusCode).toBe(504);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('says in Server-Timing how long the gateway took, the time it waited for the service included', async () => {
    const slow = await gateway.inject({ method: 'GET', url: `/event/${SLOW_ID}` });
    const fast = await gateway.inject({ method: 'GET', url: `/event/${randomUUID()}` });
    const total = (header: unknown) => Number(/(?:^|, )total;dur=([\d.]+)$/.exec(String(header))?.[1]);
    // The slow service is cut off at the read deadline (300 ms); the fast one answers at once.
    expect(total(slow.headers['server-timing'])).toBeGreaterThanOrEqual(290);
    expect(total(fast.headers['server-timing'])).toBeLessThan(290);
  });

  it('answers 503 UPSTREAM_UNAVAILABLE when the service is unreachable', async () => {
    const response = await unreachableGateway.inject({ method: 'GET', url: `/event/${randomUUID()}` });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('does not copy the service\'s hop-by-hop headers to the client', async () => {
    const response = await gateway.inject({ method: 'GET', url: `/event/${randomUUID()}` });
    expect(response.headers['keep-alive']).toBeUndefined();
  });

  it('adds security headers to every answer, proxied or refused at the edge, the same as helmet sets elsewhere', async () => {
    const proxied = await gateway.inject({ method: 'GET', url: `/event/${randomUUID()}` });
    expect(proxied.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
    expect(proxied.headers['content-security-policy']).toContain('default-src \'self\'');
    const refused = await gateway.inject({ method: 'GET', url: '/user' });
    expect(refused.statusCode).toBe(401);
    const local = await gateway.inject({ method: 'GET', url: '/status/live' });
    for (const name of ['content-security-policy', 'strict-transport-security', 'x-frame-options', 'referrer-policy']) {
      expect(refused.headers[name]).toBe(local.headers[name]);
      expect(proxied.headers[name]).toBe(local.headers[name]);
    }
  });

  it('reports each upstream\'s instances on /status with their health and breaker, reachable or not', async () => {
    const healthy = await gateway.inject({ method: 'GET', url: '/status' });
    expect(healthy.json()).toMatchObject({ status: 'up', dependencies: { 'user-service': { status: 'up', details: { source: 'static', instances: [{ health: 'up', breaker: 'closed' }] } } } });
    const broken = await unreachableGateway.inject({ method: 'GET', url: '/status' });
    expect(broken.statusCode).toBe(200);
    expect(broken.json()).toMatchObject({
      status: 'degraded',
      dependencies: { 'user-service': { status: 'down', details: { instances: [{ origin: 'http://127.0.0.1:9', health: 'unreachable' }] } }, 'order-service': { status: 'down' } },
    });
  });
});

describe('edge authentication', () => {
  const forgedToken = () => new SignJWT({ email: 'x@y.z', roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setIssuer('e-ticket-user-service')
    .setAudience('e-ticket-api').setExpirationTime('1m').sign(new TextEncoder().encode('f'.repeat(32)));

  it.each<[string, () => Promise<Record<string, string>>, number, string]>([
    ['no token', () => Promise.resolve({}), 401, 'UNAUTHENTICATED'],
    ['a non-Bearer scheme', () => Promise.resolve({ authorization: 'Basic YWRtaW46YWRtaW4=' }), 401, 'UNAUTHENTICATED'],
    ['a token that is not a JWT', () => Promise.resolve(bearer('not-a-token')), 401, 'UNAUTHENTICATED'],
    ['an expired token', async () => bearer(await token(['admin'], -5)), 401, 'UNAUTHENTICATED'],
    ['a token signed with another key', async () => bearer(await forgedToken()), 401, 'UNAUTHENTICATED'],
    ['a buyer\'s token on an admin route', async () => bearer(await token(['buyer'])), 403, 'FORBIDDEN'],
    ['an organizer\'s token on an admin route', async () => bearer(await token(['buyer', 'organizer'])), 403, 'FORBIDDEN'],
  ])('refuses %s with %i before anything reaches the service', async (_case, headers, status, code) => {
    const before = seen.length;
    const response = await gateway.inject({ method: 'GET', url: '/user', headers: await headers() });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ code });
    expect(seen.length).toBe(before);
  });

  it('refuses a bad token even on a public route', async () => {
    const response = await gateway.inject({ method: 'GET', url: '/event', headers: bearer('a.b.c') });
    expect(response.statusCode).toBe(401);
  });

  it('ignores any token on register and login', async () => {
    const response = await gateway.inject({ method: 'POST', url: '/user/login', headers: { ...bearer('garbage'), 'content-type': 'application/json' }, payload: { email: 'a@b.co', password: 'x' } });
    expect(response.statusCode).toBe(200);
  });

  it('validates at the edge: an invalid body never reaches the service', async () => {
    const before = seen.length;
    const response = await gateway.inject({ method: 'POST', url: '/user/register', payload: { email: 'a@b.co', password: 'long enough pw', admin: true } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'admin' }] });
    expect(seen.length).toBe(before);
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await gateway.inject({ method: 'POST', url: '/user/register', payload: { email: 'a@b.co', password: 'x'.repeat(3000) } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});
