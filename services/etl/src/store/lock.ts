import pg from 'pg';

/** The advisory lock key of "an ETL run is in progress" (ASCII "ETLRUN"): one per warehouse. */
export const ETL_LOCK_KEY = '76228360033614';

export interface RunLock {
  /** The session holding the lock; the run does all its warehouse writes on it. */
  readonly client: pg.Client;
  release(): Promise<void>;
}

/**
 * Takes the run lock without waiting, on a connection of its own: session
 * level, so it is held for the whole run across its transactions, and released
 * by PostgreSQL itself if this process dies (the connection drops). Null when
 * another instance is running.
 */
export async function tryRunLock(url: string, applicationName: string): Promise<RunLock | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: applicationName, keepAlive: true });
  // A dropped connection fails the statement in flight; this only keeps the event from crashing the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [ETL_LOCK_KEY]);
    if (rows[0]?.locked !== true) {
      await client.end();
      return null;
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    client,
    release: async () => {
      // Ending the session releases the lock too; the explicit unlock just makes it immediate on a healthy connection.
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [ETL_LOCK_KEY]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
