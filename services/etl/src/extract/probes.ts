import type { DependencyCheck } from '@eticket/service-kit';
import { MongoClient } from 'mongodb';
import pg from 'pg';

// /status probes of the sources, each on a connection of its own that is
// closed at once: the service holds no source connection between runs.

export function userDbCheck(url: string, timeoutMs: number): DependencyCheck {
  return {
    name: 'user-db-standby',
    // Reports are served from the warehouse without it; only the next run needs it.
    required: false,
    check: async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: 'etl status' });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const { rows } = await client.query<{ standby: boolean; lag_s: number | null }>(
          'SELECT pg_is_in_recovery() AS standby, extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS lag_s');
        return { role: rows[0]?.standby === true ? 'standby' : 'primary', replay_lag_seconds: rows[0]?.lag_s ?? null };
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

export function orderDbCheck(url: string, timeoutMs: number): DependencyCheck {
  return {
    name: 'order-mongodb',
    required: false,
    check: async () => {
      const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
      try {
        await client.db().command({ ping: 1 });
        return undefined;
      } finally {
        await client.close().catch(() => undefined);
      }
    },
  };
}
