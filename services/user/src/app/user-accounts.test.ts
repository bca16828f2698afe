import { verifyAccessToken, type Identity } from '@eticket/auth';
import { describe, expect, it } from 'vitest';
import { MemoryConsistency, MemoryThrottle, MemoryUsers, plainHasher } from './fakes';
import { UserAccounts } from './user-accounts';

const secret = 'k'.repeat(32);
const password = 'correct horse battery';

function setup(now = new Date('2030-01-01T00:00:00Z')) {
  const users = new MemoryUsers();
  const throttle = new MemoryThrottle();
  const clock = { now };
  const consistency = new MemoryConsistency();
  const accounts = new UserAccounts({
    users, throttle, hasher: plainHasher, clock: () => clock.now, jwtSecret: secret, accessTokenTtlSeconds: 900, consistency,
  });
  return { users, throttle, clock, accounts, consistency };
}

const as = (userId: string, ...roles: Identity['roles']): Identity => ({ userId, email: `${userId}@x.y`, roles });

describe('UserAccounts', () => {
  it('registers a buyer with a normalised email and never returns the password or its hash', async () => {
    const { accounts, users } = setup();
    const user = await accounts.register({ email: 'Alice@Example.COM', password });
    expect(user).toEqual({ id: expect.any(String), email: 'alice@example.com', roles: ['buyer'], created_at: expect.any(String) });
    expect(JSON.stringify(user)).not.toContain('correct horse');
    expect(users.rows.get(user.id)?.passwordHash).toBe(`plain:${password}`);
  });

  it('refuses a second account for the same email in another case', async () => {
    const { accounts } = setup();
    await accounts.register({ email: 'alice@example.com', password });
    await expect(accounts.register({ email: 'ALICE@example.com', password })).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
  });

  it('logs in with a token that carries the user id and roles', async () => {
    const { accounts } = setup(new Date());
    const user = await accounts.register({ email: 'alice@example.com', password });
    const login = await accounts.login({ email: 'ALICE@example.com', password }, '10.0.0.1');
    expect(login).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { id: user.id } });
    await expect(verifyAccessToken(login.access_token, secret)).resolves.toEqual({ userId: user.id, email: 'alice@example.com', roles: ['buyer'] });
  });

  it('answers an unknown email and a wrong password with the same INVALID_CREDENTIALS', async () => {
    const { accounts } = setup();
    await accounts.register({ email: 'alice@example.com', password });
    const wrong = await accounts.login({ email: 'alice@example.com', password: 'nope nope nope' }, '10.0.0.1').catch((error: unknown) => error);
    const unknown = await accounts.login({ email: 'bob@example.com', password }, '10.0.0.1').catch((error: unknown) => error);
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Email or password is wrong' });
    expect(unknown).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Email or password is wrong' });
  });

  it('locks an email+address after five failures, even for the right password, and only that address', async () => {
    const { accounts } = setup();
    await accounts.register({ email: 'alice@example.com', password });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(accounts.login({ email: 'alice@example.com', password: 'wrong wrong wrong' }, '10.0.0.1')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    await expect(accounts.login({ email: 'alice@example.com', password }, '10.0.0.1')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    await expect(accounts.login({ email: 'alice@example.com', password }, '10.0.0.2')).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('forgets the failures after a successful login', async () => {
    const { accounts, throttle } = setup();
    await accounts.register({ email: 'alice@example.com', password });
    await expect(accounts.login({ email: 'alice@example.com', password: 'wrong wrong wrong' }, '10.0.0.1')).rejects.toBeDefined();
    await accounts.login({ email: 'alice@example.com', password }, '10.0.0.1');
    expect(throttle.states.size).toBe(0);
  });

  it('lets a user read themself but not another user, whether or not that user exists', async () => {
    const { accounts } = setup();
    const alice = await accounts.register({ email: 'alice@example.com', password });
    const bob = await accounts.register({ email: 'bob@example.com', password });
    await expect(accounts.getUser(as(alice.id, 'buyer'), alice.id)).resolves.toMatchObject({ email: 'alice@example.com' });
    await expect(accounts.getUser(as(alice.id, 'buyer'), bob.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(accounts.getUser(as(alice.id, 'buyer'), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets an admin read any user and get NOT_FOUND for a missing one', async () => {
    const { accounts } = setup();
    const bob = await accounts.register({ email: 'bob@example.com', password });
    await expect(accounts.getUser(as('admin-1', 'buyer', 'admin'), bob.id)).resolves.toMatchObject({ id: bob.id });
    await expect(accounts.getUser(as('admin-1', 'admin'), '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists users for admins only, paginated', async () => {
    const { accounts } = setup();
    for (const name of ['a', 'b', 'c']) await accounts.register({ email: `${name}@example.com`, password });
    await expect(accounts.listUsers(as('u', 'buyer', 'organizer'), {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const page = await accounts.listUsers(as('admin-1', 'admin'), { limit: 2, offset: 1 });
    expect(page).toMatchObject({ limit: 2, offset: 1, total: 3 });
    expect(page.items.map((user) => user.email)).toEqual(['b@example.com', 'c@example.com']);
  });

  it('lets only admins grant and revoke the organizer role', async () => {
    const { accounts } = setup();
    const alice = await accounts.register({ email: 'alice@example.com', password });
    await expect(accounts.grantRole(as(alice.id, 'buyer', 'organizer'), alice.id, 'organizer')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(accounts.grantRole(as('admin-1', 'admin'), alice.id, 'organizer')).resolves.toMatchObject({ roles: ['buyer', 'organizer'] });
    await expect(accounts.revokeRole(as('admin-1', 'admin'), alice.id, 'organizer')).resolves.toMatchObject({ roles: ['buyer'] });
    await expect(accounts.grantRole(as('admin-1', 'admin'), '00000000-0000-4000-8000-000000000000', 'organizer')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('marks writers for read-your-writes: the new user, and both the admin and the user whose roles changed', async () => {
    const { accounts, users, consistency } = setup();
    const alice = await accounts.register({ email: 'alice@example.com', password });
    expect(consistency.writers).toEqual([alice.id]);
    await accounts.grantRole(as('admin-1', 'admin'), alice.id, 'organizer');
    expect(consistency.writers).toEqual([alice.id, 'admin-1', alice.id]);
    // Alice wrote, so her read needs a server that has her write; the admin's list too.
    await accounts.getUser(as(alice.id, 'buyer'), alice.id);
    expect(users.reads.at(-1)).toEqual({ atLeastLsn: '0/1' });
  });

  it('reads a profile from a standby, and asks the primary when the standby does not have it yet', async () => {
    const { accounts, users } = setup();
    const bob = await users.create('bob@example.com', 'plain:x', ['buyer']);
    await accounts.getUser(as(bob.id, 'buyer'), bob.id);
    expect(users.reads).toEqual(['replica']);
    users.lagging.add(bob.id);
    await expect(accounts.getUser(as(bob.id, 'buyer'), bob.id)).resolves.toMatchObject({ id: bob.id });
    expect(users.reads.slice(-2)).toEqual(['replica', 'primary']);
  });

  it('bootstraps the first admin once and leaves an existing account untouched', async () => {
    const { accounts, users } = setup();
    await expect(accounts.bootstrapAdmin('Root@Example.com', 'admin-dev-password')).resolves.toBe('created');
    await expect(accounts.bootstrapAdmin('root@example.com', 'another-password-entirely')).resolves.toBe('exists');
    const admin = [...users.rows.values()].find((row) => row.email === 'root@example.com');
    expect(admin).toMatchObject({ roles: ['buyer', 'admin'], passwordHash: 'plain:admin-dev-password' });
  });

  it('refuses to bootstrap an admin with a weak password', async () => {
    const { accounts } = setup();
    await expect(accounts.bootstrapAdmin('root@example.com', 'admin')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
