import { randomBytes } from 'node:crypto';
import { signInternalIdentity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from '../user/support';
import { call, login, startStack, type Session, type Stack } from './stack';

// The whole path a client takes, through the gateway to the User Service
// running as real processes on the real PostgreSQL (via HAProxy).

let stack: Stack;
let gw: string;

beforeAll(async () => {
  stack = await startStack('e2e');
  gw = stack.gatewayUrl;
});

afterAll(async () => {
  await stack?.stop();
});

describe('end to end through the gateway', () => {
  let alice: Session;
  let olga: Session;
  let admin: Session;
  let eventId: string;
  const tag = `e2e${randomBytes(4).toString('hex')}`;

  it('registers a buyer and a future organizer', async () => {
    for (const who of ['alice', 'olga']) {
      const response = await call(`${gw}/user/register`, { method: 'POST', body: { email: uniqueEmail(who), password: PASSWORD } });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ roles: ['buyer'] });
      expect(response.text).not.toMatch(/password/);
      if (who === 'alice') alice = await login(stack, response.body!.email as string, PASSWORD);
      else olga = await login(stack, response.body!.email as string, PASSWORD);
    }
  });

  it('logs the bootstrapped admin in and lets them make the second user an organizer', async () => {
    admin = await login(stack, stack.admin.email, stack.admin.password);
    const granted = await call(`${gw}/user/${olga.userId}/roles/organizer`, { method: 'PUT', token: admin.token });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ roles: ['buyer', 'organizer'] });
    olga = await login(stack, olga.email, PASSWORD);
  });

  it('creates an event as the organizer', async () => {
    const response = await call(`${gw}/event`, {
      method: 'POST',
      token: olga.token,
      body: {
        name: `Taylor Swift ${tag}`,
        description: 'The Eras Tour',
        date_time: new Date(Date.now() + 60 * 86_400_000).toISOString(),
        venue: { name: 'Zimbru Stadium', location: 'Chisinau', capacity: 10_000 },
        total_seats: 9_000,
        price: 150_00,
        currency: 'EUR',
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ total_seats: 9_000, available_seats: 9_000, price: 150_00, currency: 'EUR', organizer_id: olga.userId });
    eventId = response.body!.id as string;
  });

  it('lists and gets the event, anonymously and as a buyer', async () => {
    const listed = await call(`${gw}/event?q=${tag}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ total: 1, items: [{ id: eventId, name: `Taylor Swift ${tag}` }] });
    const got = await call(`${gw}/event/${eventId}`, { token: alice.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual((listed.body!.items as unknown[])[0]);
  });

  it('lets a buyer read their own user but not another user', async () => {
    const own = await call(`${gw}/user/${alice.userId}`, { token: alice.token });
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ id: alice.userId, email: alice.email, roles: ['buyer'], created_at: expect.any(String) });
    const other = await call(`${gw}/user/${olga.userId}`, { token: alice.token });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(other.text).not.toContain(olga.email);
  });

  it('does not let a buyer pass as admin with a forged identity header, with or without a token', async () => {
    const forged = await signInternalIdentity({ userId: alice.userId, email: alice.email, roles: ['admin'] }, randomBytes(32).toString('hex'));
    const withToken = await call(`${gw}/user`, { token: alice.token, headers: { 'x-eticket-identity': forged } });
    expect(withToken.status).toBe(403);
    const withoutToken = await call(`${gw}/user/${olga.userId}`, { headers: { 'x-eticket-identity': forged } });
    expect(withoutToken.status).toBe(401);
  });

  it('lets the admin list users, paginated, without any password', async () => {
    const first = await call(`${gw}/user?limit=1`, { token: admin.token });
    expect(first.status).toBe(200);
    const total = first.body!.total as number;
    const tail = await call(`${gw}/user?limit=100&offset=${Math.max(0, total - 100)}`, { token: admin.token });
    const emails = (tail.body!.items as { email: string }[]).map((user) => user.email);
    expect(emails).toEqual(expect.arrayContaining([alice.email, olga.email]));
    expect(tail.text).not.toMatch(/password/);
    expect((await call(`${gw}/user`, { token: alice.token })).status).toBe(403);
  });

  it('carries the caller\'s request id through and back, with security headers', async () => {
    const response = await call(`${gw}/event/${eventId}`, { headers: { 'x-request-id': `e2e-${tag}` } });
    expect(response.headers.get('x-request-id')).toBe(`e2e-${tag}`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toContain('max-age');
  });

  it('routes order and payment paths to the order service and says 503 while it is down', async () => {
    const key = { 'idempotency-key': `e2e-${tag}` };
    const attempts = [
      call(`${gw}/order`, { method: 'POST', token: alice.token, headers: key, body: { event_id: eventId, quantity: 1 } }),
      call(`${gw}/payment`, { method: 'POST', token: alice.token, headers: key, body: { order_id: eventId, payment_method: 'card' } }),
      call(`${gw}/order/${eventId}`, { token: alice.token }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    }
  });

  it('reports the user service up and the order service unreachable on /status', async () => {
    const response = await call(`${gw}/status`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'degraded', dependencies: { 'user-service': { status: 'up' }, 'order-service': { status: 'down' } } });
  });

  it('answers the platform runner\'s health probe on the service', async () => {
    expect((await call(`${stack.userUrl}/health`)).status).toBe(200);
  });

  it('serves the OpenAPI document and its interactive UI', async () => {
    const doc = await call(`${gw}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body!.paths as object)).toEqual(expect.arrayContaining(['/user/register', '/user/login', '/user/{id}', '/user', '/event', '/event/{id}']));
    const ui = await fetch(`${gw}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('shuts both processes down cleanly on SIGTERM', async () => {
    expect(await stack.stop()).toEqual([0, 0]);
  });
});
