import { verifyAccessToken } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../services/user/src/store/db';
import { adminIdentity, PASSWORD, startUserService, uniqueEmail, type TestUserService } from './support';

let user: TestUserService;

beforeAll(async () => {
  user = await startUserService();
});

afterAll(async () => {
  await user.close();
});

const register = (email: string, password = PASSWORD) => user.service.http.inject({ method: 'POST', url: '/user/register', payload: { email, password } });
const login = (email: string, password = PASSWORD, ip = '203.0.113.7') =>
  user.service.http.inject({ method: 'POST', url: '/user/login', payload: { email, password }, headers: { 'x-forwarded-for': ip } });

describe('registration and login against PostgreSQL', () => {
  it('registers a buyer, stores an argon2id hash and returns neither password nor hash', async () => {
    const email = uniqueEmail('reg');
    const response = await register(email.toUpperCase());
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: expect.any(String), email, roles: ['buyer'], created_at: expect.any(String) });
    expect(response.body).not.toMatch(/password|argon2/);
    const [row] = await query<{ password_hash: string }>(user.db.write, 'SELECT password_hash FROM users WHERE email = $1', [email]);
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('lets exactly one of many concurrent registrations of one email succeed', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => register(i % 2 === 0 ? email : email.toUpperCase())));
    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(responses.find((response) => response.statusCode === 409)?.json()).toMatchObject({ code: 'EMAIL_TAKEN', errors: [{ field: 'email' }] });
  });

  it('logs in with a signed, expiring access token for the user', async () => {
    const email = uniqueEmail('login');
    const { id } = (await register(email)).json<{ id: string }>();
    const response = await login(email.toUpperCase());
    expect(response.statusCode).toBe(200);
    const body = response.json<{ access_token: string; expires_in: number; expires_at: string }>();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { id, email } });
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(890_000);
    await expect(verifyAccessToken(body.access_token, user.config.JWT_SECRET)).resolves.toEqual({ userId: id, email, roles: ['buyer'] });
  });

  it('answers a wrong password and an unknown email with one identical 401', async () => {
    const email = uniqueEmail('creds');
    await register(email);
    const wrong = await login(email, 'not the password at all');
    const unknown = await login(uniqueEmail('ghost'));
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: string) => ({ ...(JSON.parse(body) as Record<string, unknown>), instance: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('locks an email from one address after five failures, shared through PostgreSQL, and lets the right password in once the lock passes', async () => {
    const email = uniqueEmail('throttle');
    await register(email);
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await login(email, 'wrong password guess', '198.51.100.1')).statusCode).toBe(401);
    const locked = await login(email, PASSWORD, '198.51.100.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A second instance sharing the database sees the same lock.
    const other = await startUserService();
    try {
      expect((await other.service.http.inject({ method: 'POST', url: '/user/login', payload: { email, password: PASSWORD }, headers: { 'x-forwarded-for': '198.51.100.1' } })).statusCode).toBe(429);
    } finally {
      await other.close();
    }
    expect((await login(email, PASSWORD, '198.51.100.2')).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await login(email, PASSWORD, '198.51.100.1')).statusCode).toBe(200);
  });

  it('counts a burst of parallel guesses in full', async () => {
    const email = uniqueEmail('burst');
    await register(email);
    const responses = await Promise.all(Array.from({ length: 12 }, () => login(email, 'parallel wrong guess', '198.51.100.9')));
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });
});

describe('roles and the first admin', () => {
  it('creates the admin from the environment once and never overwrites it', async () => {
    const email = uniqueEmail('root');
    await expect(user.service.accounts.bootstrapAdmin(email, 'first admin password')).resolves.toBe('created');
    await expect(user.service.accounts.bootstrapAdmin(email, 'second admin password')).resolves.toBe('exists');
    const response = await login(email, 'first admin password');
    expect(response.json()).toMatchObject({ user: { roles: ['buyer', 'admin'] } });
  });

  it('lets an admin grant and revoke the organizer role; the change shows in the next login', async () => {
    const email = uniqueEmail('org');
    const { id } = (await register(email)).json<{ id: string }>();
    const admin = await user.as(adminIdentity());
    const granted = await user.service.http.inject({ method: 'PUT', url: `/user/${id}/roles/organizer`, headers: admin });
    expect(granted.json()).toMatchObject({ id, roles: ['buyer', 'organizer'] });
    expect((await login(email)).json()).toMatchObject({ user: { roles: ['buyer', 'organizer'] } });
    const again = await user.service.http.inject({ method: 'PUT', url: `/user/${id}/roles/organizer`, headers: admin });
    expect(again.json()).toMatchObject({ roles: ['buyer', 'organizer'] });
    const revoked = await user.service.http.inject({ method: 'DELETE', url: `/user/${id}/roles/organizer`, headers: admin });
    expect(revoked.json()).toMatchObject({ roles: ['buyer'] });
  });

  it('shows a user their own record and pages through users for an admin', async () => {
    const email = uniqueEmail('self');
    const { id } = (await register(email)).json<{ id: string }>();
    const own = await user.service.http.inject({ method: 'GET', url: `/user/${id}`, headers: await user.as({ userId: id, email, roles: ['buyer'] }) });
    expect(own.json()).toEqual({ id, email, roles: ['buyer'], created_at: expect.any(String) });
    const page = await user.service.http.inject({ method: 'GET', url: '/user?limit=2&offset=0', headers: await user.as(adminIdentity()) });
    const body = page.json<{ items: unknown[]; total: number; limit: number }>();
    expect(body.limit).toBe(2);
    expect(body.items).toHaveLength(2);
    expect(body.total).toBeGreaterThanOrEqual(2);
    expect(page.body).not.toMatch(/password/);
  });
});
