import type { Logger } from '@eticket/logging';
import type pg from 'pg';
import type { ReadSource } from '../app/ports';
import { isUnavailable, shouldDiscardConnection, translateDbError } from './db-errors';
import type { Database, Queryable } from './db';

/** How reads were served since start, for /status and the tests. */
export interface ReadRoutingCounts {
  /** On a standby. */
  standby: number;
  /** On the primary because the caller asked for it. */
  primary: number;
  /** On the primary because the standby had not replayed the caller's last write yet. */
  primaryAwaitingReplay: number;
  /** On the primary because the standby failed (unreachable, restarting, demoted). */
  primaryAfterStandbyError: number;
}

/**
 * Runs a read where its ReadSource allows. Standby reads that fail because
 * the standby is unreachable are tried once more on the primary (a read has
 * no side effects, and HAProxy needs about a second to mark a dead standby
 * down). A read that must see the caller's write at `atLeastLsn` runs on a
 * standby connection only after that connection's server confirms it has
 * replayed that far; HAProxy balances connections over both standbys, so
 * the check and the read share one connection.
 */
export class ReadRouter {
  readonly counts: ReadRoutingCounts = { standby: 0, primary: 0, primaryAwaitingReplay: 0, primaryAfterStandbyError: 0 };

  constructor(private readonly db: Database, private readonly logger: Logger) {}

  async run<T>(source: ReadSource, work: (db: Queryable) => Promise<T>): Promise<T> {
    // Without a read URL both pools are one: nothing to choose.
    if (source === 'primary' || this.db.read === this.db.write) return this.onPrimary('primary', work);
    if (source === 'replica') {
      try {
        const result = await work(this.db.read);
        this.counts.standby += 1;
        return result;
      } catch (error) {
        return this.afterStandbyError(error, work);
      }
    }
    return this.caughtUp(source.atLeastLsn, work);
  }

  private async caughtUp<T>(lsn: string, work: (db: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.db.read.connect();
    } catch (error) {
      return this.afterStandbyError(error, work);
    }
    let replayed: boolean;
    try {
      // On the primary itself (HAProxy's read port falls back to it with no standby left) every write is visible.
      const { rows } = await client.query<{ replayed: boolean }>(
        'SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn AS replayed',
        [lsn],
      );
      replayed = rows[0]?.replayed === true;
    } catch (error) {
      client.release(true);
      return this.afterStandbyError(error, work);
    }
    if (!replayed) {
      client.release();
      return this.onPrimary('primaryAwaitingReplay', work);
    }
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      client.release(shouldDiscardConnection(error));
      return this.afterStandbyError(error, work);
    }
    client.release();
    this.counts.standby += 1;
    return result;
  }

  private async afterStandbyError<T>(error: unknown, work: (db: Queryable) => Promise<T>): Promise<T> {
    if (!isUnavailable(error)) throw translateDbError(error);
    this.logger.debug({ err: error }, 'standby read failed; reading from the primary');
    return this.onPrimary('primaryAfterStandbyError', work);
  }

  private async onPrimary<T>(reason: 'primary' | 'primaryAwaitingReplay' | 'primaryAfterStandbyError', work: (db: Queryable) => Promise<T>): Promise<T> {
    const result = await work(this.db.write);
    this.counts[reason] += 1;
    return result;
  }
}
