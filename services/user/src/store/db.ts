import { AppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import type { DependencyCheck } from '@eticket/service-kit';
import pg from 'pg';

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
  return pool;
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

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '25006']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return codeOf(error) === '23505' && (constraint === undefined || (error as { constraint?: unknown }).constraint === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return codeOf(error) === '23503';
}

/**
 * Driver and server failures as catalog errors: an unreachable or
 * read-only (failing-over) database is UPSTREAM_UNAVAILABLE, a statement
 * timeout UPSTREAM_TIMEOUT, and a data exception — which validation should
 * have prevented — a VALIDATION_FAILED rather than a 500. Anything else is
 * passed on unchanged (and becomes a logged 500).
 */
export function translateDbError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : '';
  // pg's own messages for "could not get or keep a connection" carry no code.
  const lostConnection = /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/i.test(message);
  if (lostConnection || (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))) {
    return new AppError('UPSTREAM_UNAVAILABLE', 'The database is unavailable', { cause: error });
  }
  if (code === '57014' || /Query read timeout/i.test(message)) return new AppError('UPSTREAM_TIMEOUT', 'The database did not answer in time', { cause: error });
  if (code?.startsWith('22') === true) return new AppError('VALIDATION_FAILED', 'A value is malformed or out of range', { cause: error });
  return error;
}

export async function query<Row extends pg.QueryResultRow>(db: Queryable, text: string, values: readonly unknown[] = []): Promise<Row[]> {
  try {
    const result = await db.query<Row>(text, values as unknown[]);
    return result.rows;
  } catch (error) {
    throw translateDbError(error);
  }
}

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translateDbError(error);
  }
  let broken = false;
  try {
    await query(client, 'BEGIN');
    const result = await work(client);
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

/** Health of both pools for /status: the write pool must reach a primary. */
export function databaseChecks(db: Database): DependencyCheck[] {
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
    { name: 'postgres-read', required: false, check: () => probe(db.read) },
  ];
}
