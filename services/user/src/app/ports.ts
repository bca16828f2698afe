import type { Role } from '@eticket/auth';
import type { CatalogEvent, EventFilter, NewEvent } from '../domain/event';
import type { ThrottleDecision, ThrottleKey, ThrottleState } from '../domain/login-throttle';
import type { User, UserCredentials } from '../domain/user';

// What the use-cases need from storage, as interfaces: the store implements
// them with PostgreSQL, unit tests with in-memory fakes.

/**
 * Which copy of the data a read may use: `primary`; `replica` (a standby)
 * where a little staleness is fine; or a standby that has replayed the WAL
 * at least to `atLeastLsn` (the caller's last write), else the primary.
 */
export type ReadSource = 'primary' | 'replica' | { readonly atLeastLsn: string };

/**
 * Read-your-writes across instances: reads go to standbys, except that a
 * caller who has just written reads only from a server that has that write.
 */
export interface ReadConsistency {
  /** Where a read on behalf of this user (null: anonymous) may go. */
  sourceFor(userId: string | null): Promise<ReadSource>;
  /** Called after a write commits: these users' reads must see it from now on. Never throws. */
  wrote(userIds: readonly string[]): Promise<void>;
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export interface UserRepository {
  /** Throws EMAIL_TAKEN when the (normalised) email is already registered. */
  create(email: string, passwordHash: string, roles: readonly Role[]): Promise<User>;
  findCredentials(email: string): Promise<UserCredentials | undefined>;
  findById(id: string, source: ReadSource): Promise<User | undefined>;
  list(limit: number, offset: number, source: ReadSource): Promise<Paged<User>>;
  /** Replaces the roles atomically with `change(current)`; undefined when the user does not exist. */
  updateRoles(id: string, change: (current: readonly Role[]) => readonly Role[]): Promise<User | undefined>;
}

export interface EventRepository {
  create(event: NewEvent): Promise<CatalogEvent>;
  findById(id: string, source: ReadSource): Promise<CatalogEvent | undefined>;
  list(filter: EventFilter, source: ReadSource): Promise<Paged<CatalogEvent>>;
}

export interface LoginThrottleStore {
  /** Runs `decide` on the key's current state under a row lock and stores the state it allows. */
  decide(key: ThrottleKey, decide: (current: ThrottleState | null) => ThrottleDecision): Promise<ThrottleDecision>;
  reset(key: ThrottleKey): Promise<void>;
}

export interface NewNotification {
  readonly userId: string;
  readonly kind: string;
  readonly message: string;
  readonly orderId: string | null;
  readonly dedupeKey: string | null;
}

export interface NotificationRepository {
  /** Stores the notification once per dedupe key; a repeat returns the first one's id. Throws NOT_FOUND for an unknown user. */
  store(notification: NewNotification): Promise<string>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export type Clock = () => Date;
