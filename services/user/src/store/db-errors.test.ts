import { AppError } from '@eticket/errors';
import { describe, expect, it } from 'vitest';
import { classifyDbError, isUnavailable, RETRY_AFTER_SECONDS, shouldDiscardConnection, translateDbError } from './db-errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database errors', () => {
  it.each([
    ['a refused connection (primary gone, HAProxy has no server)', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['57P01 admin_shutdown (the server is stopping)', withCode('57P01', 'terminating connection due to administrator command')],
    ['57P03 cannot_connect_now (the new primary is still starting)', withCode('57P03')],
    ['25006 read_only_sql_transaction (a write on a demoted primary)', withCode('25006', 'cannot execute INSERT in a read-only transaction')],
    ['40001 serialization_failure', withCode('40001')],
    ['40P01 deadlock_detected', withCode('40P01')],
    ['08006 connection_failure', withCode('08006')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg: pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['pg: client not queryable', new Error('Client has encountered a connection error and is not queryable')],
  ])('%s is a retryable 503 with Retry-After', (_what, error) => {
    expect(classifyDbError(error)).toBe('unavailable');
    const translated = translateDbError(error);
    expect(translated).toBeInstanceOf(AppError);
    expect(translated).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503, retryAfterSeconds: RETRY_AFTER_SECONDS });
    expect(isUnavailable(error)).toBe(true);
    expect(isUnavailable(translated)).toBe(true);
    expect(shouldDiscardConnection(translated)).toBe(true);
  });

  it('maps a statement timeout to 504 and a data exception to 400', () => {
    expect(translateDbError(withCode('57014'))).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(translateDbError(new Error('Query read timeout'))).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(translateDbError(withCode('22P02'))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('passes other errors and AppErrors on unchanged, and keeps their connections', () => {
    const unique = withCode('23505');
    expect(translateDbError(unique)).toBe(unique);
    const own = new AppError('NOT_FOUND');
    expect(translateDbError(own)).toBe(own);
    expect(isUnavailable(unique)).toBe(false);
    expect(shouldDiscardConnection(unique)).toBe(false);
    // A code-less error that does not look like a lost connection is a bug, not an outage.
    expect(classifyDbError(new Error('boom'))).toBe('other');
  });
});
