import { fileURLToPath } from 'node:url';
import type { Logger } from '@eticket/logging';
import { PG_MIGRATE_LOCK_ID, runner } from 'node-pg-migrate';
import pg from 'pg';

/** The warehouse schema as SQL migrations, applied in file-name order. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies pending migrations. node-pg-migrate's own lock is a try-lock (a
 * second instance starting at the same moment would fail), so the same
 * advisory lock is first taken blocking on the runner's connection:
 * concurrent instances wait their turn and find nothing left to do.
 */
export async function migrate(databaseUrl: string, logger: Logger): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000, application_name: 'etl-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PG_MIGRATE_LOCK_ID]);
    try {
      const applied = await runner({
        dbClient: client,
        dir: MIGRATIONS_DIR,
        direction: 'up',
        migrationsTable: 'pgmigrations',
        checkOrder: true,
        noLock: true,
        log: (message) => logger.debug({ migration: message }, 'migration'),
      });
      const names = applied.map((migration) => migration.name);
      logger.info({ applied: names }, names.length === 0 ? 'warehouse schema is up to date' : 'applied warehouse migrations');
      return names;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATE_LOCK_ID]);
    }
  } finally {
    await client.end();
  }
}
