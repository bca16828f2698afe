import type { Logger } from '@eticket/logging';
import type { DependencyCheck } from '@eticket/service-kit';
import pg from 'pg';
import type { ReadRouter } from './read-router';
import { shouldDiscardConnection, sqlState, SYNC_REP_CANCELLED, translateDbError, unconfirmedCommit } from './db-errors';

export { translateDbError } from './db-errors';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface DatabaseSettings {
  readonly writeUrl: string;
  readonly readUrl: string;
  readonly poolSize: number;
  readonly applicationName: string;
  readonly logger: Logger;
}

/** Two pools: `write` reaches the primary (HAProxy's write port), `read` a standby (its read port). */
export interface Database {
  readonly write: pg.Pool;
  readonly read: pg.Pool;
  close(): Promise<void>;
}

// Bounded everything: a connection attempt, a statement and a query wait
// all give up, so a stuck database turns into a quick 503/504 rather than
// requests piling up.
const CONNECT_TIMEOUT_MS = 3_000;
const STATEMENT_TIMEOUT_MS = 5_000;

function createPool(url: string, settings: DatabaseSettings, role: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 1_000,
    application_name: settings.applicationName,
    keepAlive: true,
  });
  // An idle client dies when its server goes away (failover); without a
  // listener that error would crash the process.
  pool.on('error', (error) => settings.logger.warn({ err: error, pool: role }, 'idle database connection failed'));
  pool.on('connect', (client) => {
    // The pool listens for errors only on idle clients. A server's FATAL can arrive right after a
    // query's last message, while the client is still checked out and between queries (a dying
    // standby sends "terminating connection due to unexpected postmaster exit"): without this
    // listener that would be an unhandled 'error' event and crash the process. The pool still
    // drops such a client when it is released (it is no longer queryable).
    client.on('error', (error) => settings.logger.warn({ err: error, pool: role }, 'database connection failed while checked out'));
    client.on('notice', (notice) => {
      if (!SYNC_REP_CANCELLED.test(notice.message ?? '')) return;
      unconfirmed.add(client);
      settings.logger.warn({ pool: role, notice: notice.message }, 'a commit was not confirmed by the synchronous standby');
    });
  });
  return pool;
}

/**
 * Clients whose last statement committed on the primary without the
 * synchronous standby's confirmation (the wait for it was cancelled by a
 * cancel request, e.g. an operator's pg_cancel_backend; the statement timeout
 * is off during a commit, so it never ends that wait). Such a write could
 * be lost by a failover, so it is not acknowledged: the caller gets a 503
 * and retries (every write path is idempotent or checked on retry).
 */
const unconfirmed = new WeakSet<pg.ClientBase>();

/** Throws (and forgets the mark) when `client`'s last statement was such a commit. */
export function assertReplicated(client: Queryable): void {
  if (isPool(client) || !unconfirmed.has(client as pg.ClientBase)) return;
  unconfirmed.delete(client as pg.ClientBase);
  throw unconfirmedCommit();
}

export function createDatabase(settings: DatabaseSettings): Database {
  const write = createPool(settings.writeUrl, settings, 'write');
  const read = settings.readUrl === settings.writeUrl ? write : createPool(settings.readUrl, settings, 'read');
  return {
    write,
    read,
    close: async () => {
      await write.end();
      if (read !== write) await read.end();
    },
  };
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return sqlState(error) === '23505' && (constraint === undefined || (error as { constraint?: unknown }).constraint === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return sqlState(error) === '23503';
}

function isPool(db: Queryable): db is pg.Pool {
  return db instanceof pg.Pool;
}

/**
 * One statement. On a pool it runs on a client of its own, so that a commit
 * the primary made without its synchronous standby's confirmation (see
 * SYNC_REP_CANCELLED) is reported on the statement that made it.
 */
export async function query<Row extends pg.QueryResultRow>(db: Queryable, text: string, values: readonly unknown[] = []): Promise<Row[]> {
  if (isPool(db)) {
    const client = await connect(db);
    let broken = false;
    try {
      return await query<Row>(client, text, values);
    } catch (error) {
      broken = shouldDiscardConnection(error);
      throw error;
    } finally {
      // A client whose connection failed is discarded, never handed to the next caller.
      client.release(broken);
    }
  }
  try {
    // A mark left by an earlier statement nobody checked is not this statement's.
    if (!isPool(db)) unconfirmed.delete(db as pg.ClientBase);
    const result = await db.query<Row>(text, values as unknown[]);
    assertReplicated(db);
    return result.rows;
  } catch (error) {
    throw translateDbError(error);
  }
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw translateDbError(error);
  }
}

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  let broken = false;
  try {
    await query(client, 'BEGIN');
    const result = await work(client);
    // query() throws if the commit was not confirmed by the synchronous standby.
    await query(client, 'COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw translateDbError(error);
  } finally {
    // A connection that could not even roll back is discarded, not reused.
    client.release(broken);
  }
}

/** Health of both pools for /status: the write pool must reach a primary; the read pool's entry also counts where reads went. */
export function databaseChecks(db: Database, reads?: ReadRouter): DependencyCheck[] {
  const probe = async (pool: pg.Pool) => {
    const [row] = await query<{ in_recovery: boolean }>(pool, 'SELECT pg_is_in_recovery() AS in_recovery');
    return { role: row?.in_recovery === true ? 'standby' : 'primary', pool_total: pool.totalCount, pool_idle: pool.idleCount, pool_waiting: pool.waitingCount };
  };
  return [
    {
      name: 'postgres-write',
      required: true,
      check: async () => {
        const details = await probe(db.write);
        if (details.role !== 'primary') throw new Error('the write pool reaches a standby');
        return details;
      },
    },
    { name: 'postgres-read', required: false, check: async () => ({ ...(await probe(db.read)), ...(reads === undefined ? {} : { reads_served: { ...reads.counts } }) }) },
  ];
}
