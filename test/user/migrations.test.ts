import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createLogger } from '@eticket/logging';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../services/user/src/store/migrate';
import { platformEnv } from '../setup/platform-env';

// Migrations on a throwaway database: two instances starting at the same
// moment must both succeed, and the schema must be applied exactly once.

const database = `eticket_migrate_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
// Every file counts, including the seat-inventory migrations (1001_…) that build on ours.
const files = readdirSync(MIGRATIONS_DIR).filter((file) => file.endsWith('.sql')).map((file) => file.replace(/\.sql$/, '')).sort();
const logger = createLogger({ service: 'user', instance: 'migrate-test', level: 'silent' });

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: platformEnv().USER_DB_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The application's write URL, pointed at the throwaway database. */
function appUrl(): string {
  const url = new URL(platformEnv().USER_DB_WRITE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

beforeAll(async () => {
  const owner = new URL(platformEnv().USER_DB_WRITE_URL).username;
  await admin((client) => client.query(`CREATE DATABASE ${database} OWNER ${owner}`));
});

afterAll(async () => {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});

describe('migrations', () => {
  it('lets two instances migrate a fresh database at the same moment: one applies, the other waits and finds nothing to do', async () => {
    const results = await Promise.all([migrate(appUrl(), logger), migrate(appUrl(), logger)]);
    expect(results.map((applied) => applied.length).sort((a, b) => a - b)).toEqual([0, files.length]);
    const client = new pg.Client({ connectionString: appUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id');
      expect(rows.map((row) => row.name)).toEqual(files);
      expect(files.slice(0, 3)).toEqual(['0001_users', '0002_events', '0003_notifications']);
      const tables = await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
      expect(tables.rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['events', 'login_throttle', 'notifications', 'users', 'venues']));
    } finally {
      await client.end();
    }
  });

  it('is a no-op when run again', async () => {
    await expect(migrate(appUrl(), logger)).resolves.toEqual([]);
  });
});
