// Two ETL instances never run at once: the run lock is a session-level
// advisory lock on the warehouse. A run whose process dies releases it (the
// session ends), and the next run marks the dead run abandoned.
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ETL_LOCK_KEY } from '../../services/etl/src/store/lock';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { seedMarketplace } from './seed';
import { replicated, seedUsers, startHarness, succeeded, type Harness } from './support';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await seedMarketplace(h, { orders: 300, seed: 55 });
});

afterAll(async () => {
  await h?.close();
});

/** A "MongoDB" that accepts connections and never answers: a run reaching it hangs until its timeout. */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    port: address.port,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('run lock', () => {
  it('of two runs started together, one runs and the other is skipped', async () => {
    const results = await Promise.all([h.run({ instance: 'etl-a' }), h.run({ instance: 'etl-b' })]);
    expect(results.map((r) => r.status).sort()).toEqual(['skipped', 'succeeded']);
    const { rows } = await h.warehouse.query<{ n: number }>('SELECT count(*)::int AS n FROM etl.runs');
    expect(rows[0]!.n).toBe(1);
  });

  it('skips while another session holds the lock, and runs once it is released', async () => {
    const other = new pg.Client({ connectionString: platformEnv().WAREHOUSE_DB_URL });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::bigint)', [ETL_LOCK_KEY]);
      expect(await h.run()).toEqual({ status: 'skipped' });
      await other.query('SELECT pg_advisory_unlock($1::bigint)', [ETL_LOCK_KEY]);
      succeeded(await h.run());
    } finally {
      await other.end();
    }
  });

  it('a run whose process is killed releases the lock; the next run marks it abandoned and keeps nothing of it', async () => {
    const [newUser] = await seedUsers(h, 1);
    await replicated(h, 'users', [newUser!]);
    const hole = await blackHole();
    const env = platformEnv();
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/etl/src/cli.ts', 'run'], {
      env: {
        PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', SERVICE_INSTANCE: 'etl-doomed', WAREHOUSE_DB_URL: env.WAREHOUSE_DB_URL,
        USER_DB_READ_URL: env.USER_DB_READ_URL, ORDER_MONGO_URL: `mongodb://127.0.0.1:${hole.port}/eticket_orders`, ETL_SOURCE_TIMEOUT_MS: '60000',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const runId = await eventually('the doomed run to start', async () => {
        const { rows } = await h.warehouse.query<{ id: string }>('SELECT id FROM etl.runs WHERE status = \'running\' AND instance = \'etl-doomed-cli\'');
        return rows[0]?.id;
      }, 30_000);
      // It is stuck on the silent source, holding the lock: another instance skips.
      expect(await h.run()).toEqual({ status: 'skipped' });
      child.kill('SIGKILL');
      await exited;
      // It had staged the new user before hanging; its transaction died with it.
      expect((await h.warehouse.query('SELECT 1 FROM staging.users WHERE user_id = $1', [newUser])).rowCount).toBe(0);
      const next = succeeded(await eventually('the lock to be released', async () => {
        const result = await h.run();
        return result.status === 'skipped' ? undefined : result;
      }));
      const { rows } = await h.warehouse.query('SELECT status, error FROM etl.runs WHERE id = $1', [runId]);
      expect(rows).toEqual([{ status: 'abandoned', error: expect.stringMatching(/stopped before it finished/) }]);
      expect(next.sources.find((s) => s.source === 'users')!.loaded).toBe(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await hole.close();
    }
  });
});
