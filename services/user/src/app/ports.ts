import type { Role } from '@eticket/auth';
import type { CatalogEvent, EventFilter, NewEvent } from '../domain/event';
import type { ThrottleDecision, ThrottleKey, ThrottleState } from '../domain/login-throttle';
import type { StoredNotification } from '../domain/notification';
import type { DueReminder } from '../domain/reminders';
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
  readonly eventId: string | null;
  readonly dedupeKey: string | null;
}

export interface StoreOutcome {
  readonly notification: StoredNotification;
  /** Its row id (a UUID), unique across users. */
  readonly key: string;
  /** false: a retry of a send already stored (nothing new to deliver). */
  readonly created: boolean;
}

export interface NotificationRepository {
  /**
   * Stores the notification with the user's next number, once per dedupe key;
   * a repeat returns the first one. Throws NOT_FOUND for an unknown user.
   */
  store(notification: NewNotification): Promise<StoreOutcome>;
  /** The user's notifications numbered above `after`, in order (read from the primary: replay must not lag). */
  after(userId: string, after: number, limit: number): Promise<StoredNotification[]>;
  /** The user's latest number (0 if none). */
  latestId(userId: string): Promise<number>;
}

export interface Subscription {
  readonly eventId: string;
  readonly subscribedAt: Date;
}

export interface SubscriptionRepository {
  /** Subscribes once; `created` false when it already existed. Throws NOT_FOUND for an unknown event. */
  subscribe(userId: string, eventId: string): Promise<Subscription & { readonly created: boolean }>;
  unsubscribe(userId: string, eventId: string): Promise<void>;
  list(userId: string): Promise<Subscription[]>;
}

/** A subscription with at least one reminder window due and not yet claimed. */
export interface ReminderCandidate {
  readonly userId: string;
  readonly eventId: string;
  readonly eventName: string;
  readonly eventAt: Date;
}

export interface ReminderStore {
  /** Subscriptions of events starting within the largest window after `now` that still have a due window unclaimed. */
  candidates(now: Date, windows: readonly number[], limit: number): Promise<ReminderCandidate[]>;
  /**
   * In one transaction: claims the due windows (unique rows, ON CONFLICT DO
   * NOTHING) and, when this call claimed the window the reminder is for,
   * stores the reminder. Undefined when another attempt got there first.
   */
  claim(candidate: ReminderCandidate, due: DueReminder, reminder: NewNotification, instance: string): Promise<StoredNotification | undefined>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export type Clock = () => Date;

/** What instances tell each other about live delivery (store/notification-bus.ts). */
export type BusMessage =
  | { readonly type: 'notification'; readonly userId: string; readonly notification: import('../domain/notification').NotificationView }
  | { readonly type: 'availability'; readonly eventId: string; readonly availableSeats: number }
  | { readonly type: 'subscription'; readonly userId: string; readonly eventId: string; readonly subscribed: boolean };

/**
 * Fan-out to every User Service instance, this one included. Best effort:
 * PostgreSQL is the record, and what the bus drops is read from it (gap
 * fills, replay on reconnect).
 */
export interface NotificationBus {
  /** Throws when the message could not be handed to the bus. */
  publish(message: BusMessage): Promise<void>;
  onMessage(handler: (message: BusMessage) => void): void;
  /** For /status. */
  describe(): { readonly kind: string; readonly status: string };
  close(): Promise<void>;
}

/** Seat counts for availability frames. */
export interface SeatCounts {
  availableSeats(eventId: string): Promise<number | undefined>;
  /** The event a seat-reservation transaction is for. */
  eventOfTransaction(txId: string): Promise<string | undefined>;
}
