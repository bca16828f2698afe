// The warehouse PostgreSQL and etcd are real servers.
import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { listOf, platformEnv } from '../setup/platform-env';

const env = platformEnv();

describe('warehouse postgres', () => {
  it('answers on WAREHOUSE_DB_URL as role eticket in database eticket_warehouse and accepts writes', async () => {
    const client = new pg.Client({ connectionString: env.WAREHOUSE_DB_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; usr: string; ro: boolean }>(
        'SELECT current_database() AS db, current_user AS usr, pg_is_in_recovery() AS ro',
      );
      expect(rows[0]).toEqual({ db: 'eticket_warehouse', usr: 'eticket', ro: false });
      await client.query('CREATE TABLE IF NOT EXISTS warehouse_probe (id text PRIMARY KEY)');
      const id = randomUUID();
      await client.query('INSERT INTO warehouse_probe (id) VALUES ($1)', [id]);
      expect((await client.query('SELECT 1 FROM warehouse_probe WHERE id = $1', [id])).rowCount).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('is a different server from the user-db cluster', () => {
    const warehousePort = new URL(env.WAREHOUSE_DB_URL).port;
    const userPorts = [env.USER_DB_WRITE_URL, env.USER_DB_READ_URL, ...listOf(env.USER_DB_NODE_URLS)].map((u) => new URL(u).port);
    expect(userPorts).not.toContain(warehousePort);
  });
});

describe('etcd', () => {
  it('stores and returns a key through the etcd3 client on ETCD_ENDPOINTS', async () => {
    const etcd = new Etcd3({ hosts: listOf(env.ETCD_ENDPOINTS) });
    try {
      const key = `/platform-probe/${randomUUID()}`;
      await etcd.put(key).value('hello');
      expect(await etcd.get(key).string()).toBe('hello');
      await etcd.delete().key(key);
      expect(await etcd.get(key).string()).toBeNull();
    } finally {
      etcd.close();
    }
  });

  it('holds the Patroni leader key of the user-db cluster', async () => {
    const etcd = new Etcd3({ hosts: listOf(env.ETCD_ENDPOINTS) });
    try {
      const leader = await etcd.get('/eticket/eticket-users/leader').string();
      expect(leader).toMatch(/^node[123]$/);
    } finally {
      etcd.close();
    }
  });
});
