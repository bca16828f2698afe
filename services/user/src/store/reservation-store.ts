import { AppError } from '@eticket/errors';
import type pg from 'pg';
import type { AttemptOutcome, ReservationRequest, ReservationState, ReservationStore } from '../domain/reservation';
import { isUuid } from '../domain/notification';
import { assertReplicated, query, translateDbError, type Database } from './db';

/** Prepared transactions of this participant are named `eticket:<transaction id>`. */
const GID_PREFIX = 'eticket:';

/**
 * PREPARE TRANSACTION and friends take a literal, not a parameter. The id is
 * checked to be a UUID first, so nothing else can reach the SQL text.
 */
function gid(txId: string): string {
  if (!isUuid(txId)) throw new Error(`not a transaction id: ${txId}`);
  return `'${GID_PREFIX}${txId.toLowerCase()}'`;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** 42704: "prepared transaction with identifier ... does not exist". */
const NO_SUCH_PREPARED = '42704';
const UNIQUE_VIOLATION = '23505';
const LOCK_NOT_AVAILABLE = '55P03';

interface ReserveRow {
  outcome: 'claimed' | 'not_enough' | 'busy' | 'unknown_event';
  unit_price_minor: string | null;
  currency: string | null;
  available: number | null;
}

/** How long an abort waits for a prepare of the same transaction that is half-way through. */
const ABORT_BUDGET_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The seat inventory and the participant's prepared transactions in
 * PostgreSQL. A prepared transaction is detached from its session, so the
 * pool connection goes straight back to the pool after PREPARE.
 */
export class PgReservationStore implements ReservationStore {
  constructor(private readonly db: Database) {}

  private get pool(): pg.Pool {
    return this.db.write;
  }

  async attempt(request: ReservationRequest, mode: 'prepare' | 'local', beforeClaim: () => Promise<void>): Promise<AttemptOutcome> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateDbError(error);
    }
    let open = false;
    let broken = false;
    const rollback = async () => {
      open = false;
      await client.query('ROLLBACK');
    };
    try {
      await client.query('BEGIN');
      open = true;
      await beforeClaim();
      let reserved: ReserveRow | undefined;
      try {
        reserved = (await client.query<ReserveRow>(
          'SELECT * FROM reserve_seats($1, $2, $3, $4, $5)',
          [request.txId, request.orderId, request.eventId, request.userId, request.quantity],
        )).rows[0];
      } catch (error) {
        const code = codeOf(error);
        if (code !== UNIQUE_VIOLATION && code !== LOCK_NOT_AVAILABLE) throw error;
        await rollback();
        // Someone decided this transaction first (an abort's tombstone), or it is prepared already (a retried prepare).
        if (await this.isPrepared(request.txId)) return { kind: 'already_prepared', ...(await this.priceOf(request.eventId)) };
        return { kind: 'already_decided', state: (await this.stateOf(request.txId)) ?? 'aborted' };
      }
      if (reserved === undefined) throw new Error('reserve_seats returned nothing');
      if (reserved.outcome !== 'claimed') {
        await rollback();
        if (reserved.outcome === 'not_enough') return { kind: 'not_enough', available: reserved.available ?? 0 };
        return { kind: reserved.outcome };
      }
      const price = { unitPriceMinor: reserved.unit_price_minor ?? '0', currency: reserved.currency ?? 'XXX' };
      if (mode === 'local') {
        await client.query('COMMIT');
        open = false;
        assertReplicated(client);
        return { kind: 'reserved', ...price };
      }
      await client.query(`PREPARE TRANSACTION ${gid(request.txId)}`);
      open = false;
      // A PREPARE the synchronous standby did not confirm could vanish in a failover: no vote (the coordinator aborts, and the abort rolls it back).
      assertReplicated(client);
      return { kind: 'prepared', ...price };
    } catch (error) {
      if (open) {
        try {
          await rollback();
        } catch {
          broken = true;
        }
      }
      throw translateDbError(error);
    } finally {
      client.release(broken);
    }
  }

  async commit(txId: string): Promise<ReservationState | null> {
    try {
      // query() reports a COMMIT PREPARED the synchronous standby did not confirm as unavailable: phase 2 is retried.
      await query(this.pool, `COMMIT PREPARED ${gid(txId)}`);
      return 'committed';
    } catch (error) {
      if (codeOf(error) !== NO_SUCH_PREPARED) throw translateDbError(error);
      return this.stateOf(txId);
    }
  }

  async abort(txId: string): Promise<ReservationState> {
    const deadline = Date.now() + ABORT_BUDGET_MS;
    for (;;) {
      await this.rollbackPrepared(txId);
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        await client.query('BEGIN');
        // If a prepare of this transaction is half-way, its uncommitted row blocks this insert: give up quickly and look again.
        await client.query('SET LOCAL lock_timeout = \'200ms\'');
        await client.query('INSERT INTO reservations (transaction_id, state) VALUES ($1, \'aborted\') ON CONFLICT (transaction_id) DO NOTHING', [txId]);
        const row = (await client.query<{ state: ReservationState }>('SELECT state FROM reservations WHERE transaction_id = $1', [txId])).rows[0];
        await client.query('COMMIT');
        assertReplicated(client);
        return row?.state ?? 'aborted';
      } catch (error) {
        await client?.query('ROLLBACK').catch(() => undefined);
        if (codeOf(error) !== LOCK_NOT_AVAILABLE) throw translateDbError(error);
        if (Date.now() > deadline) throw new AppError('UPSTREAM_TIMEOUT', `A prepare of ${txId} is still running; abort again later`);
        await sleep(20);
      } finally {
        client?.release();
      }
    }
  }

  async release(txId: string, reason: string): Promise<ReservationState | null> {
    // A Release is only ever sent for a committed order, so it may finish a commit phase 2 never delivered.
    await this.commit(txId);
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      await client.query('BEGIN');
      const row = (await client.query<{ state: ReservationState; event_id: string; allocations: unknown }>(
        'SELECT state, event_id, allocations FROM reservations WHERE transaction_id = $1 FOR UPDATE',
        [txId],
      )).rows[0];
      if (row === undefined || row.state !== 'committed') {
        await client.query('ROLLBACK');
        return row?.state ?? null;
      }
      await client.query(
        `UPDATE seat_buckets s SET available = s.available + a.n
           FROM jsonb_to_recordset($2::jsonb) AS a(b smallint, n integer)
          WHERE s.event_id = $1 AND s.bucket_no = a.b`,
        [row.event_id, JSON.stringify(row.allocations)],
      );
      await client.query('UPDATE reservations SET state = \'released\', release_reason = $2, updated_at = now() WHERE transaction_id = $1', [txId, reason]);
      await client.query('COMMIT');
      assertReplicated(client);
      return 'released';
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => undefined);
      throw translateDbError(error);
    } finally {
      client?.release();
    }
  }

  async stalePrepared(olderThanMs: number): Promise<string[]> {
    try {
      const rows = (await this.pool.query<{ gid: string }>(
        `SELECT gid FROM pg_prepared_xacts
          WHERE database = current_database() AND gid LIKE '${GID_PREFIX}%' AND prepared < now() - $1 * interval '1 millisecond'
          ORDER BY prepared`,
        [olderThanMs],
      )).rows;
      return rows.map((row) => row.gid.slice(GID_PREFIX.length));
    } catch (error) {
      throw translateDbError(error);
    }
  }

  private async rollbackPrepared(txId: string): Promise<void> {
    try {
      await query(this.pool, `ROLLBACK PREPARED ${gid(txId)}`);
    } catch (error) {
      if (codeOf(error) !== NO_SUCH_PREPARED) throw translateDbError(error);
    }
  }

  private async isPrepared(txId: string): Promise<boolean> {
    const rows = (await this.pool.query('SELECT 1 FROM pg_prepared_xacts WHERE gid = $1', [`${GID_PREFIX}${txId.toLowerCase()}`])).rows;
    return rows.length > 0;
  }

  private async priceOf(eventId: string): Promise<{ unitPriceMinor: string; currency: string }> {
    const row = (await this.pool.query<{ price_minor: string; currency: string }>('SELECT price_minor, currency FROM events WHERE id = $1', [eventId])).rows[0];
    return { unitPriceMinor: row?.price_minor ?? '0', currency: row?.currency ?? 'XXX' };
  }

  private async stateOf(txId: string): Promise<ReservationState | null> {
    const rows = (await this.pool.query<{ state: ReservationState }>('SELECT state FROM reservations WHERE transaction_id = $1', [txId])).rows;
    return rows[0]?.state ?? null;
  }
}
