// The User Service's PostgreSQL is a real Patroni cluster behind HAProxy.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOf, platformEnv } from '../setup/platform-env';

const env = platformEnv();
const clients: pg.Client[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

async function inRecovery(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
  return rows[0]!.r;
}

async function pollUntil<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const admin = await connect(env.USER_DB_WRITE_URL);
  await admin.query('CREATE TABLE IF NOT EXISTS platform_probe (id text PRIMARY KEY, note text NOT NULL)');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
});

describe('user-db (Patroni + HAProxy)', () => {
  it('routes USER_DB_WRITE_URL to the read-write primary and USER_DB_READ_URL to a read-only standby', async () => {
    expect(await inRecovery(await connect(env.USER_DB_WRITE_URL))).toBe(false);
    expect(await inRecovery(await connect(env.USER_DB_READ_URL))).toBe(true);
  });

  it('has exactly one primary and two standbys among the direct node URLs', async () => {
    const nodes = await Promise.all(listOf(env.USER_DB_NODE_URLS).map(connect));
    const roles = await Promise.all(nodes.map(inRecovery));
    expect(roles.filter((r) => !r)).toHaveLength(1);
    expect(roles.filter((r) => r)).toHaveLength(2);
  });

  it('replicates a row written through the write URL to both standbys', async () => {
    const id = randomUUID();
    await (await connect(env.USER_DB_WRITE_URL)).query('INSERT INTO platform_probe (id, note) VALUES ($1, $2)', [id, 'replication']);
    const nodes = await Promise.all(listOf(env.USER_DB_NODE_URLS).map(connect));
    const standbys: pg.Client[] = [];
    for (const node of nodes) if (await inRecovery(node)) standbys.push(node);
    expect(standbys).toHaveLength(2);
    for (const standby of standbys) {
      const note = await pollUntil(async () => {
        const { rows } = await standby.query<{ note: string }>('SELECT note FROM platform_probe WHERE id = $1', [id]);
        return rows[0]?.note;
      }, 10_000);
      expect(note).toBe('replication');
    }
  });

  it('keeps a PREPARE TRANSACTION in pg_prepared_xacts until COMMIT PREPARED makes its row visible', async () => {
    const gid = `probe-${randomUUID()}`;
    const id = randomUUID();
    const session = await connect(env.USER_DB_WRITE_URL);
    const observer = await connect(env.USER_DB_WRITE_URL);
    await session.query('BEGIN');
    await session.query('INSERT INTO platform_probe (id, note) VALUES ($1, $2)', [id, 'two-phase']);
    await session.query(`PREPARE TRANSACTION '${gid}'`);

    const prepared = await observer.query('SELECT gid FROM pg_prepared_xacts WHERE gid = $1', [gid]);
    expect(prepared.rowCount).toBe(1);
    const before = await observer.query('SELECT 1 FROM platform_probe WHERE id = $1', [id]);
    expect(before.rowCount).toBe(0);

    await observer.query(`COMMIT PREPARED '${gid}'`);
    expect((await observer.query('SELECT gid FROM pg_prepared_xacts WHERE gid = $1', [gid])).rowCount).toBe(0);
    expect((await observer.query('SELECT 1 FROM platform_probe WHERE id = $1', [id])).rowCount).toBe(1);
  });

  it('gives the superuser admin URL the same primary as the write URL', async () => {
    const admin = await connect(env.USER_DB_ADMIN_URL);
    const { rows } = await admin.query<{ su: boolean; db: string }>('SELECT usesuper AS su, current_database() AS db FROM pg_user WHERE usename = current_user');
    expect(rows[0]).toEqual({ su: true, db: 'eticket_users' });
    expect(await inRecovery(admin)).toBe(false);
  });
});
