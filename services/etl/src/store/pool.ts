import { AppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import type { DependencyCheck } from '@eticket/service-kit';
import pg from 'pg';

/**
 * The pool the reports read through. Statements are bounded: a report that
 * runs away answers 504 instead of holding a connection; an unreachable
 * warehouse answers 503 (see warehouseError).
 */
export function createWarehousePool(url: string, applicationName: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    query_timeout: 16_000,
    application_name: applicationName,
    keepAlive: true,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle warehouse connection failed'));
  return pool;
}

/** Database failures as catalog errors, so a report never answers an opaque 500 for a database that is away. */
export function warehouseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (code === '57014' || /Query read timeout/i.test(message)) return new AppError('UPSTREAM_TIMEOUT', 'The warehouse did not answer in time', { cause: error });
  if (typeof code === 'string' && (code.startsWith('08') || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03'].includes(code))) {
    return new AppError('UPSTREAM_UNAVAILABLE', 'The warehouse is unavailable', { cause: error });
  }
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) return new AppError('UPSTREAM_UNAVAILABLE', 'The warehouse is unavailable', { cause: error });
  return error;
}

export function warehouseCheck(pool: pg.Pool): DependencyCheck {
  return {
    name: 'warehouse',
    required: true,
    check: async () => {
      const { rows } = await pool.query<{ last_run: Date | null; last_status: string | null }>(
        'SELECT started_at AS last_run, status AS last_status FROM etl.runs ORDER BY id DESC LIMIT 1');
      const last = rows[0];
      return { last_run: last?.last_run?.toISOString() ?? null, last_status: last?.last_status ?? null, pool_total: pool.totalCount };
    },
  };
}
