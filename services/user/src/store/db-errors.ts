import { AppError } from '@eticket/errors';

// What a driver or server failure means for the caller. During a failover
// every write fails for a few seconds in one of several ways (refused or
// reset connections, HAProxy closing a session, "terminating connection due
// to administrator command", a write reaching a node that is read-only now);
// all of them must reach the buyer as a retryable 503 with Retry-After,
// never as a 500.

/** How long a client should wait before retrying; a failover takes ~7 s, a retry each second or two finds the new primary soon after. */
export const RETRY_AFTER_SECONDS = 2;

/** Node's socket errors: the server (or HAProxy in front of it) is gone or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);

/** SQLSTATEs that say "not now", not "never": a retry, on this or a new primary, may succeed. */
const TRANSIENT_SQLSTATES = new Map<string, string>([
  ['57P01', 'admin_shutdown'],
  ['57P02', 'crash_shutdown'],
  ['57P03', 'cannot_connect_now'],
  ['53300', 'too_many_connections'],
  // A write reached a standby: the old primary was demoted under a pooled session.
  ['25006', 'read_only_sql_transaction'],
  ['40001', 'serialization_failure'],
  ['40P01', 'deadlock_detected'],
  // hot_standby_feedback off: a standby cancelled a read that conflicted with replay.
  ['40P02', 'recovery_conflict'],
]);

/** pg's own messages for "could not get or keep a connection" carry no code. */
const LOST_CONNECTION = new RegExp([
  'timeout exceeded when trying to connect', 'Connection terminated', 'Client has encountered a connection error', 'Connection ended', 'not queryable',
].join('|'), 'i');

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export type DbFailure = 'unavailable' | 'timeout' | 'bad-value' | 'other';

/** The class of a database error; `unavailable` is retryable. */
export function classifyDbError(error: unknown): DbFailure {
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : '';
  if (code !== undefined && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith('08'))) return 'unavailable';
  if (code === undefined && LOST_CONNECTION.test(message)) return 'unavailable';
  if (code === '57014' || /Query read timeout/i.test(message)) return 'timeout';
  if (code?.startsWith('22') === true) return 'bad-value';
  return 'other';
}

/**
 * Driver and server failures as catalog errors: an unreachable, failing-over
 * or momentarily conflicting database is UPSTREAM_UNAVAILABLE with
 * Retry-After, a statement timeout UPSTREAM_TIMEOUT, and a data exception —
 * which validation should have prevented — a VALIDATION_FAILED rather than a
 * 500. Anything else is passed on unchanged (and becomes a logged 500).
 */
export function translateDbError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  switch (classifyDbError(error)) {
    case 'unavailable':
      return new AppError('UPSTREAM_UNAVAILABLE', 'The database is unavailable', { cause: error, retryAfterSeconds: RETRY_AFTER_SECONDS });
    case 'timeout':
      return new AppError('UPSTREAM_TIMEOUT', 'The database did not answer in time', { cause: error });
    case 'bad-value':
      return new AppError('VALIDATION_FAILED', 'A value is malformed or out of range', { cause: error });
    default:
      return error;
  }
}

/** True for errors after which the same read may be tried on another server. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'UPSTREAM_UNAVAILABLE';
  return classifyDbError(error) === 'unavailable';
}

/** After these a pooled connection is not trusted again (dead, demoted, or with a timed-out statement still running). */
export function shouldDiscardConnection(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'UPSTREAM_UNAVAILABLE' || error.code === 'UPSTREAM_TIMEOUT';
  const failure = classifyDbError(error);
  return failure === 'unavailable' || failure === 'timeout';
}

/**
 * PostgreSQL's warning when a wait for the synchronous standby was cancelled
 * (a cancel request; PostgreSQL turns the statement timeout off before a
 * commit, so that never does it): the transaction is committed on
 * the primary but may exist nowhere else, so a failover now could lose it.
 */
export const SYNC_REP_CANCELLED = /canceling wait for synchronous replication/i;

/** The error for a commit the primary made but no standby confirmed: the outcome is unknown to the caller. */
export function unconfirmedCommit(): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', 'The write may not have been replicated; retry it (idempotently) or read it back', { retryAfterSeconds: RETRY_AFTER_SECONDS });
}
