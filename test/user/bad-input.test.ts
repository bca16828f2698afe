import type { Identity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCases, OTHER_USER, type Who } from './bad-input-cases';
import { createUser, startUserService, type TestUserService } from './support';

// Every endpoint of the User Service, called directly (as the gateway would,
// with a signed identity) against the real database: each bad input gets a
// 4xx problem+json naming the field, never a 500.

const LIMIT = 16_384;
let user: TestUserService;
let identities: Record<Exclude<Who, 'anonymous'>, Identity>;
let other: Identity;

beforeAll(async () => {
  user = await startUserService();
  const [buyer, organizer, admin] = await Promise.all([createUser(user), createUser(user, ['buyer', 'organizer']), createUser(user, ['admin'])]);
  identities = { buyer, organizer, admin };
  other = await createUser(user);
});

afterAll(async () => {
  await user.close();
});

describe('User Service rejects bad input', () => {
  it('is configured with the body limit the table assumes', () => {
    expect(user.config.BODY_LIMIT_BYTES).toBe(LIMIT);
  });

  it.each(badInputCases(LIMIT).map((c) => [`${c.endpoint}: ${c.name} → ${c.status} ${c.code}`, c] as const))('%s', async (_title, c) => {
    const headers: Record<string, string> = c.who === 'anonymous' ? {} : await user.as(identities[c.who]);
    if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const url = c.url.replace(OTHER_USER, other.userId);
    const response = await user.service.http.inject({ method: c.method, url, headers, ...(c.body === undefined ? {} : { payload: c.body }) });
    expect(response.statusCode, response.body).toBe(c.status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{ status: number; code: string; errors?: { field: string }[] }>();
    expect(problem).toMatchObject({ status: c.status, code: c.code });
    if (c.field !== undefined) expect(problem.errors?.map((error) => error.field)).toContain(c.field);
  });

  it.each([
    ['a garbage identity header', 'not-a-jwt'],
    ['an identity signed with another secret', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
  ])('refuses %s with 401 instead of treating the caller as anonymous', async (_case, header) => {
    const response = await user.service.http.inject({ method: 'GET', url: '/event', headers: { 'x-eticket-identity': header } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
