import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger } from '@eticket/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUserService, type UserService } from '../../services/user/src/app';
import { loadConfig } from '../../services/user/src/config';
import { createDatabase, type Database } from '../../services/user/src/store/db';
import { migrate } from '../../services/user/src/store/migrate';
import { platformControl, platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { roles, wholeCluster, withClient } from './cluster';

// A commit waits for the synchronous standby to confirm it; while the
// standby is frozen (alive, connected, silent) the wait goes on. The User
// Service must never answer success for such a write before the standby has
// it: the write would be lost if the primary died first. Two ways the wait
// ends early: a cancel (an operator's pg_cancel_backend, a client's cancel
// request), after which PostgreSQL reports the commit as done "locally, but
// might not have been replicated" with only a warning; and the client's query
// timeout (6 s; PostgreSQL's statement_timeout is switched off before the
// commit, so it never ends the wait). Both must reach the caller as a
// retryable failure, never as 201.

let service: UserService;
let db: Database;
let frozen: string | undefined;

beforeAll(async () => {
  await wholeCluster();
  const env = platformEnv();
  const logger = createLogger({ service: 'user', instance: 'unconfirmed', level: 'silent' });
  await migrate(env.USER_DB_WRITE_URL, logger);
  const config = loadConfig({
    USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
    USER_DB_READ_URL: env.USER_DB_READ_URL,
    JWT_SECRET: randomBytes(32).toString('hex'),
    INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex'),
    SERVICE_INSTANCE: 'unconfirmed',
  });
  db = createDatabase({ writeUrl: config.USER_DB_WRITE_URL, readUrl: config.USER_DB_READ_URL, poolSize: 2, applicationName: 'unconfirmed', logger });
  service = buildUserService(config, { logger, db });
  await service.http.ready();
}, 120_000);

afterAll(async () => {
  if (frozen !== undefined) await platformControl().kill(frozen, 'SIGCONT');
  await service?.close();
  await db?.close();
  await wholeCluster();
}, 120_000);

const PASSWORD = 'correct horse battery staple';

async function freezeSyncStandby(): Promise<void> {
  const { sync } = await roles();
  frozen = `patroni-${sync.name}`;
  // Frozen, not dead: its connection stays up, so the primary keeps waiting for it.
  await platformControl().kill(frozen, 'SIGSTOP');
}

async function thaw(): Promise<void> {
  if (frozen !== undefined) await platformControl().kill(frozen, 'SIGCONT');
  frozen = undefined;
}

async function exists(email: string): Promise<boolean> {
  const { rows } = await withClient(platformEnv().USER_DB_ADMIN_URL, (client) => client.query('SELECT 1 FROM users WHERE email = $1', [email]));
  return rows.length === 1;
}

describe('a commit the synchronous standby did not confirm', () => {
  it('whose wait was cancelled is answered 503 with Retry-After, not 201; the write exists and a retry finds it', async () => {
    await freezeSyncStandby();
    const email = `cancelled-${randomUUID().slice(0, 8)}@example.test`;
    const pending = service.http.inject({ method: 'POST', url: '/user/register', payload: { email, password: PASSWORD } });
    const cancelled = await eventually('the INSERT waiting for the synchronous standby, cancelled', () => withClient(platformEnv().USER_DB_ADMIN_URL, async (client) => {
      const { rows } = await client.query<{ cancelled: boolean }>(
        'SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity WHERE application_name = $1 AND wait_event = \'SyncRep\'', ['unconfirmed'],
      );
      return rows[0]?.cancelled === true ? true : undefined;
    }), 5_000, 50);
    const response = await pending;
    await thaw();

    expect(cancelled).toBe(true);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', detail: expect.stringMatching(/may not have been replicated/) });
    expect(response.headers['retry-after']).toBe('2');
    // The primary did commit it: the client's retry learns that, instead of a lost acknowledged write.
    expect(await exists(email)).toBe(true);
    const retried = await service.http.inject({ method: 'POST', url: '/user/register', payload: { email, password: PASSWORD } });
    expect(retried.json()).toMatchObject({ code: 'EMAIL_TAKEN' });
    await wholeCluster();
  }, 60_000);

  it('that outlasts the query timeout is answered 504, not 201; the write lands once a standby confirms it', async () => {
    await freezeSyncStandby();
    const email = `waited-${randomUUID().slice(0, 8)}@example.test`;
    const started = Date.now();
    const response = await service.http.inject({ method: 'POST', url: '/user/register', payload: { email, password: PASSWORD } });
    const waited = Date.now() - started;
    await thaw();

    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(waited).toBeGreaterThanOrEqual(5_900);
    // Patroni names the other standby synchronous (or the thawed one confirms): the waiting commit completes.
    await eventually('the unacknowledged registration to be committed', async () => ((await exists(email)) ? true : undefined), 20_000, 200);
    await wholeCluster();
  }, 60_000);
});
