// Idempotent provisioning of the application role and database, and a ping.
import pg from 'pg';

export const APP_ROLE = 'eticket';
export const APP_PASSWORD = 'eticket';
export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'postgres';

export function pgUrl(user: string, password: string, port: number, database: string, host = '127.0.0.1'): string {
  return `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>, timeoutMs = 3000): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: 15_000 });
  // A server going away mid-query must reject the query, not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates (or fixes the password of) the login role, then the database it owns. */
export async function ensureRoleAndDatabase(adminUrl: string, database: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    // Identifiers cannot be bound parameters; both are constants of this module.
    const verb = role.rowCount === 0 ? 'CREATE' : 'ALTER';
    await client.query(`${verb} ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${APP_PASSWORD}'`);
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (db.rowCount === 0) await client.query(`CREATE DATABASE ${database} OWNER ${APP_ROLE}`);
  });
}

export interface PgPing {
  ok: boolean;
  inRecovery: boolean | null;
  detail: string;
}

export async function pgPing(url: string, timeoutMs = 2000): Promise<PgPing> {
  try {
    return await withClient(url, async (client) => {
      const result = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      const inRecovery = result.rows[0]?.r ?? null;
      return { ok: true, inRecovery, detail: inRecovery ? 'up (read-only standby)' : 'up (read-write)' };
    }, timeoutMs);
  } catch (error) {
    return { ok: false, inRecovery: null, detail: error instanceof Error ? error.message : String(error) };
  }
}
