import type { Role } from '@eticket/auth';
import type { Cache, CachePolicy } from '@eticket/cache';
import type { Paged, ReadSource, UserRepository } from '../app/ports';
import type { User, UserCredentials } from '../domain/user';

/** A user profile as stored in the cache: JSON, so the date travels as an ISO string. */
type CachedUser = Omit<User, 'createdAt'> & { readonly createdAt: string };

/**
 * User profiles: 60 s. A profile changes rarely (a role granted or revoked)
 * and every such change invalidates it. Not-found is not remembered, for the
 * reason given at EVENT_POLICY.
 */
export const USER_POLICY: CachePolicy = { ttlSeconds: 60, notFoundTtlSeconds: 0, schemaVersion: 1 };

/**
 * The user repository with cache-aside in front of profile reads that may go
 * to a standby (`replica`). Credentials (login) and `primary` reads (role
 * checks before a write, the gRPC directory) never use the cache; neither do
 * the admin's user lists. A role change invalidates the profile after it
 * commits.
 */
export class CachedUserRepository implements UserRepository {
  constructor(private readonly inner: UserRepository, private readonly users: Cache) {}

  // A new account has no cached profile to replace (not-found is not cached).
  create(email: string, passwordHash: string, roles: readonly Role[]): Promise<User> {
    return this.inner.create(email, passwordHash, roles);
  }

  findCredentials(email: string): Promise<UserCredentials | undefined> {
    return this.inner.findCredentials(email);
  }

  async findById(id: string, source: ReadSource): Promise<User | undefined> {
    if (source !== 'replica') return this.inner.findById(id, source);
    const cached = await this.users.getOrLoad<CachedUser>(id, USER_POLICY, async () => {
      const user = await this.inner.findById(id, source);
      return user === undefined ? undefined : { ...user, createdAt: user.createdAt.toISOString() };
    });
    return cached === undefined ? undefined : { ...cached, createdAt: new Date(cached.createdAt) };
  }

  list(limit: number, offset: number, source: ReadSource): Promise<Paged<User>> {
    return this.inner.list(limit, offset, source);
  }

  async updateRoles(id: string, change: (current: readonly Role[]) => readonly Role[]): Promise<User | undefined> {
    const updated = await this.inner.updateRoles(id, change);
    if (updated !== undefined) await this.users.invalidate(id);
    return updated;
  }
}
