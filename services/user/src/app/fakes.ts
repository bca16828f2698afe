import { randomUUID } from 'node:crypto';
import type { Role } from '@eticket/auth';
import { AppError } from '@eticket/errors';
import type { CatalogEvent, EventFilter, NewEvent } from '../domain/event';
import type { ThrottleDecision, ThrottleKey, ThrottleState } from '../domain/login-throttle';
import type { User, UserCredentials } from '../domain/user';
import type { EventRepository, LoginThrottleStore, Paged, PasswordHasher, ReadConsistency, ReadSource, UserRepository } from './ports';

// In-memory implementations of the ports, for the use-cases' unit tests.
// They keep the contracts the PostgreSQL store keeps (unique email, NOT_FOUND
// via undefined) so the tests prove the use-cases, not the fakes.

export class MemoryUsers implements UserRepository {
  readonly rows = new Map<string, UserCredentials>();
  readonly reads: ReadSource[] = [];
  /** Ids a standby has not replayed yet: invisible to replica reads. */
  readonly lagging = new Set<string>();

  create(email: string, passwordHash: string, roles: readonly Role[]): Promise<User> {
    if ([...this.rows.values()].some((row) => row.email === email)) return Promise.reject(new AppError('EMAIL_TAKEN'));
    const row: UserCredentials = { id: randomUUID(), email, passwordHash, roles: [...roles], createdAt: new Date() };
    this.rows.set(row.id, row);
    return Promise.resolve(strip(row));
  }

  findCredentials(email: string): Promise<UserCredentials | undefined> {
    return Promise.resolve([...this.rows.values()].find((row) => row.email === email));
  }

  findById(id: string, source: ReadSource): Promise<User | undefined> {
    this.reads.push(source);
    if (source === 'replica' && this.lagging.has(id)) return Promise.resolve(undefined);
    const row = this.rows.get(id);
    return Promise.resolve(row === undefined ? undefined : strip(row));
  }

  list(limit: number, offset: number): Promise<Paged<User>> {
    const all = [...this.rows.values()];
    return Promise.resolve({ items: all.slice(offset, offset + limit).map(strip), total: all.length });
  }

  updateRoles(id: string, change: (current: readonly Role[]) => readonly Role[]): Promise<User | undefined> {
    const row = this.rows.get(id);
    if (row === undefined) return Promise.resolve(undefined);
    const updated = { ...row, roles: [...change(row.roles)] };
    this.rows.set(id, updated);
    return Promise.resolve(strip(updated));
  }
}

function strip(row: UserCredentials): User {
  return { id: row.id, email: row.email, roles: row.roles, createdAt: row.createdAt };
}

export class MemoryThrottle implements LoginThrottleStore {
  readonly states = new Map<string, ThrottleState>();

  decide(key: ThrottleKey, decide: (current: ThrottleState | null) => ThrottleDecision): Promise<ThrottleDecision> {
    const id = `${key.email}|${key.clientIp}`;
    const decision = decide(this.states.get(id) ?? null);
    if (decision.allowed) this.states.set(id, decision.next);
    return Promise.resolve(decision);
  }

  reset(key: ThrottleKey): Promise<void> {
    this.states.delete(`${key.email}|${key.clientIp}`);
    return Promise.resolve();
  }
}

export class MemoryEvents implements EventRepository {
  readonly rows = new Map<string, CatalogEvent>();
  readonly reads: ReadSource[] = [];
  /** Ids a standby has not replayed yet: invisible to replica reads. */
  readonly lagging = new Set<string>();

  create(event: NewEvent): Promise<CatalogEvent> {
    const venue = { ...event.venue, id: randomUUID() };
    const created: CatalogEvent = { ...event, id: randomUUID(), venue, availableSeats: event.totalSeats, createdAt: new Date() };
    this.rows.set(created.id, created);
    return Promise.resolve(created);
  }

  findById(id: string, source: ReadSource): Promise<CatalogEvent | undefined> {
    this.reads.push(source);
    if (source === 'replica' && this.lagging.has(id)) return Promise.resolve(undefined);
    return Promise.resolve(this.rows.get(id));
  }

  list(filter: EventFilter, source: ReadSource): Promise<Paged<CatalogEvent>> {
    this.reads.push(source);
    const all = [...this.rows.values()];
    return Promise.resolve({ items: all.slice(filter.offset, filter.offset + filter.limit), total: all.length });
  }
}

/** Not a KDF: tests need speed, and the real hasher has its own integration test. */
export const plainHasher: PasswordHasher = {
  hash: (password) => Promise.resolve(`plain:${password}`),
  verify: (hash, password) => Promise.resolve(hash === `plain:${password}`),
};

/**
 * Read-your-writes as the use-cases see it: users who wrote get a position
 * their reads must reach (always reached here, as if the standby had
 * replayed it); everyone else reads a standby.
 */
export class MemoryConsistency implements ReadConsistency {
  readonly writers: string[] = [];

  sourceFor(userId: string | null): Promise<ReadSource> {
    return Promise.resolve(userId !== null && this.writers.includes(userId) ? { atLeastLsn: '0/1' } : 'replica');
  }

  wrote(userIds: readonly string[]): Promise<void> {
    this.writers.push(...userIds);
    return Promise.resolve();
  }
}
