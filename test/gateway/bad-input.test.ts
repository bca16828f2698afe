import { randomBytes, randomUUID } from 'node:crypto';
import { issueAccessToken } from '@eticket/auth';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCases, OTHER_USER, type Who } from '../user/bad-input-cases';
import { PASSWORD, uniqueEmail } from '../user/support';
import { BODY_LIMIT, call, login, startStack, type Session, type Stack } from './stack';

// The same bad-input table as the service's, through the gateway over real
// HTTP, plus the token failures only the edge sees.

let stack: Stack;
let sessions: Record<Exclude<Who, 'anonymous'>, Session>;
let other: Session;

async function newUser(): Promise<Session> {
  const email = uniqueEmail('gw');
  const registered = await call(`${stack.gatewayUrl}/user/register`, { method: 'POST', body: { email, password: PASSWORD } });
  if (registered.status !== 201) throw new Error(registered.text);
  return login(stack, email, PASSWORD);
}

beforeAll(async () => {
  stack = await startStack('bad-input');
  const admin = await login(stack, stack.admin.email, stack.admin.password);
  const [buyer, organizer] = [await newUser(), await newUser()];
  await call(`${stack.gatewayUrl}/user/${organizer.userId}/roles/organizer`, { method: 'PUT', token: admin.token });
  sessions = { buyer, organizer: await login(stack, organizer.email, PASSWORD), admin };
  other = await newUser();
});

afterAll(async () => {
  await stack?.stop();
});

describe('gateway rejects bad input for every endpoint', () => {
  it.each(badInputCases(BODY_LIMIT).map((c) => [`${c.endpoint}: ${c.name} → ${c.status} ${c.code}`, c] as const))('%s', async (_title, c) => {
    const headers: Record<string, string> = c.who === 'anonymous' ? {} : { authorization: `Bearer ${sessions[c.who].token}` };
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const response = await fetch(`${stack.gatewayUrl}${c.url.replace(OTHER_USER, other.userId)}`, { method: c.method, headers, ...(c.body === undefined ? {} : { body: c.body }) });
    const text = await response.text();
    expect(response.status, text).toBe(c.status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = JSON.parse(text) as { status: number; code: string; errors?: { field: string }[] };
    expect(problem).toMatchObject({ status: c.status, code: c.code });
    if (c.field !== undefined) expect(problem.errors?.map((error) => error.field)).toContain(c.field);
  });
});

describe('gateway validates the order routes at the edge with the order contract', () => {
  const order = () => ({ event_id: randomUUID(), quantity: 2 });
  const payment = () => ({ order_id: randomUUID(), payment_method: 'card' });
  const key = { 'idempotency-key': 'edge-key-1' };
  it.each<[string, string, string, Record<string, unknown> | string | undefined, Record<string, string>, string]>([
    ['an order without an Idempotency-Key', 'POST', '/order', order(), {}, 'idempotency-key'],
    ['an Idempotency-Key with spaces', 'POST', '/order', order(), { 'idempotency-key': 'a key' }, 'idempotency-key'],
    ['a quantity of 0', 'POST', '/order', { ...order(), quantity: 0 }, key, 'quantity'],
    ['a quantity over 10', 'POST', '/order', { ...order(), quantity: 11 }, key, 'quantity'],
    ['a quantity as a string', 'POST', '/order', { ...order(), quantity: '2' }, key, 'quantity'],
    ['an event id that is not a UUID', 'POST', '/order', { ...order(), event_id: '1 OR 1=1' }, key, 'event_id'],
    ['a client-chosen price', 'POST', '/order', { ...order(), total_price: 1 }, key, 'total_price'],
    ['malformed JSON', 'POST', '/order', '{"event_id":', key, 'body'],
    ['an unknown payment method', 'POST', '/payment', { ...payment(), payment_method: 'cash' }, key, 'payment_method'],
    ['a negative amount', 'POST', '/payment', { ...payment(), amount: -1 }, key, 'amount'],
    ['a payment without an order id', 'POST', '/payment', { payment_method: 'card' }, key, 'order_id'],
    ['an order id that is not a UUID', 'GET', '/order/abc', undefined, {}, 'id'],
    ['a payment id that is not a UUID', 'GET', '/payment/abc', undefined, {}, 'id'],
    ['a cancel of a malformed order id', 'POST', '/order/abc/cancel', undefined, {}, 'id'],
    ['a page size of 0', 'GET', '/order?limit=0', undefined, {}, 'limit'],
  ])('answers %s with 400 naming the field, without calling the order service', async (_case, method, path, body, headers, field) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${sessions.buyer.token}`, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${stack.gatewayUrl}${path}`, init);
    const problem = (await response.json()) as { code: string; errors?: { field: string }[] };
    expect(response.status).toBe(400);
    expect(problem.code === 'MALFORMED_JSON' || problem.errors?.some((error) => error.field === field)).toBe(true);
  });

  it('refuses an anonymous caller on every order route', async () => {
    for (const [method, path] of [['POST', '/order'], ['GET', '/order'], ['GET', `/order/${randomUUID()}`], ['POST', `/order/${randomUUID()}/cancel`], ['POST', '/payment'], ['GET', `/payment/${randomUUID()}`]]) {
      const response = await fetch(`${stack.gatewayUrl}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });
});

describe('gateway refuses bad tokens', () => {
  const sign = (secret: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({ email: 'x@example.test', roles: ['buyer', 'admin'], ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject(randomUUID())
      .setIssuer('e-ticket-user-service').setAudience('e-ticket-api').setExpirationTime('5m').sign(new TextEncoder().encode(secret));
  const unsigned = () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none' })}.${part({ sub: randomUUID(), email: 'x@example.test', roles: ['admin'], iss: 'e-ticket-user-service', aud: 'e-ticket-api' })}.`;
  };

  it.each<[string, () => Promise<string>, number, string]>([
    ['a missing token', () => Promise.resolve(''), 401, 'UNAUTHENTICATED'],
    ['an expired token', async () => `Bearer ${(await issueAccessToken({ userId: randomUUID(), email: 'x@example.test', roles: ['admin'] }, stack.jwtSecret, -60)).token}`, 401, 'UNAUTHENTICATED'],
    ['a token signed with another key', async () => `Bearer ${await sign(randomBytes(32).toString('hex'))}`, 401, 'UNAUTHENTICATED'],
    ['an unsigned (alg none) token', () => Promise.resolve(`Bearer ${unsigned()}`), 401, 'UNAUTHENTICATED'],
    ['a token with an invented role', async () => `Bearer ${await sign(stack.jwtSecret, { roles: ['superuser'] })}`, 401, 'UNAUTHENTICATED'],
    ['a token for another audience', async () => `Bearer ${await new SignJWT({ email: 'x@example.test', roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setIssuer('e-ticket-user-service').setAudience('someone-else').setExpirationTime('5m').sign(new TextEncoder().encode(stack.jwtSecret))}`, 401, 'UNAUTHENTICATED'],
    ['a tampered payload', async () => {
      const [header, , signature] = sessions.buyer.token.split('.');
      const payload = Buffer.from(JSON.stringify({ sub: sessions.buyer.userId, email: 'x@example.test', roles: ['admin'], iss: 'e-ticket-user-service', aud: 'e-ticket-api', exp: 9_999_999_999 })).toString('base64url');
      return Promise.resolve(`Bearer ${header}.${payload}.${signature}`);
    }, 401, 'UNAUTHENTICATED'],
    ['a Basic credential', () => Promise.resolve('Basic YWRtaW46YWRtaW4='), 401, 'UNAUTHENTICATED'],
    ['a buyer\'s valid token on an admin route', () => Promise.resolve(`Bearer ${sessions.buyer.token}`), 403, 'FORBIDDEN'],
    ['an organizer\'s valid token on an admin route', () => Promise.resolve(`Bearer ${sessions.organizer.token}`), 403, 'FORBIDDEN'],
  ])('answers %s on GET /user with %i', async (_case, authorization, status, code) => {
    const value = await authorization();
    const response = await call(`${stack.gatewayUrl}/user`, { headers: value === '' ? {} : { authorization: value } });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ code });
  });
});
