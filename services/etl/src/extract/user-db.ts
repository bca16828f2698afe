import pg from 'pg';
import type { RawRecord } from '../domain/sources';
import type { ExtractWindow } from '../domain/window';

// The User Service's PostgreSQL, read through a standby. Both tables are read
// in one REPEATABLE READ snapshot, through server-side cursors, so memory
// stays at one batch whatever the table size and users and events agree with
// each other. Only what the warehouse needs is selected: of the email, just its
// domain; never the password hash.

const QUERIES = {
  users: `SELECT id, split_part(email, '@', 2) AS email_domain, roles, created_at, updated_at
            FROM users WHERE updated_at < $1 AND ($2::timestamptz IS NULL OR updated_at >= $2)`,
  events: `SELECT e.id, e.organizer_id, e.name, e.date_time, e.total_seats, e.price_minor, e.currency, e.created_at,
                  v.id AS venue_id, v.name AS venue_name, v.location AS venue_location, v.capacity AS venue_capacity
             FROM events e JOIN venues v ON v.id = e.venue_id
            WHERE e.created_at < $1 AND ($2::timestamptz IS NULL OR e.created_at >= $2)`,
} as const;

export type UserDbSource = keyof typeof QUERIES;

export interface UserDbOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Refuse a primary (see ETL_REQUIRE_STANDBY). */
  readonly requireStandby: boolean;
  readonly applicationName: string;
}

export class UserDbReader {
  private constructor(private readonly client: pg.Client) {}

  /** Connects, checks the server is a standby (when required) and opens the snapshot. */
  static async open(options: UserDbOptions): Promise<UserDbReader> {
    const client = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: options.timeoutMs,
      // One FETCH of a batch is quick; a standby that stops answering must not hang the run.
      query_timeout: Math.max(options.timeoutMs * 12, 60_000),
      application_name: options.applicationName,
      keepAlive: true,
    });
    // A connection lost mid-run surfaces as the failing query's error; this keeps it from also crashing the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
      if (options.requireStandby && rows[0]?.standby !== true) {
        throw new Error('USER_DB_READ_URL reaches a primary, not a standby (no standby up?): not extracting, so analytics never load the primary');
      }
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return new UserDbReader(client);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  async* batches(source: UserDbSource, window: ExtractWindow, batchSize: number): AsyncGenerator<RawRecord[]> {
    const cursor = `etl_${source}`;
    await this.client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${QUERIES[source]}`, [window.to, window.from]);
    try {
      for (;;) {
        const { rows } = await this.client.query<Record<string, unknown>>(`FETCH FORWARD ${batchSize} FROM ${cursor}`);
        if (rows.length > 0) yield rows;
        if (rows.length < batchSize) return;
      }
    } finally {
      await this.client.query(`CLOSE ${cursor}`).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.query('COMMIT').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}
