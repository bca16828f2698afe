import { randomBytes, randomUUID } from 'node:crypto';
import { signInternalIdentity, type Identity } from '@eticket/auth';
import { createLogger } from '@eticket/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUserService, type UserService } from '../../services/user/src/app';
import { loadConfig } from '../../services/user/src/config';
import { createDatabase, type Database } from '../../services/user/src/store/db';
import { migrate } from '../../services/user/src/store/migrate';
import { listOf, platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { maintenanceMode, wholeCluster, withClient } from './cluster';

// Read/write splitting with read-your-writes across two User Service
// instances that share their write marks through the platform's Redis
// Cluster. Replay is paused on both standbys (with Patroni in maintenance
// mode, or it would resume replay within a second), so they provably lag: the
// writer's reads on the *other* instance still see the write (they go to the
// primary until a standby has replayed it), while reads by anyone else come
// from a standby (and so do not see it yet). Replay resumed, the writer's
// reads return to the standbys.

const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
const instances: Array<{ service: UserService; db: Database }> = [];

async function start(name: string): Promise<UserService> {
  const env = platformEnv();
  const config = loadConfig({
    ...secrets,
    USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
    USER_DB_READ_URL: env.USER_DB_READ_URL,
    PATRONI_REST_URLS: env.PATRONI_REST_URLS,
    CACHE_TOPOLOGY: 'cluster',
    REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
    REDIS_COMMAND_TIMEOUT_MS: '250',
    SERVICE_INSTANCE: name,
  });
  const logger = createLogger({ service: 'user', instance: name, level: 'silent' });
  const db = createDatabase({ writeUrl: config.USER_DB_WRITE_URL, readUrl: config.USER_DB_READ_URL, poolSize: 4, applicationName: name, logger });
  const service = buildUserService(config, { logger, db });
  await service.http.ready();
  instances.push({ service, db });
  return service;
}

const as = async (identity: Identity) => ({ 'x-eticket-identity': await signInternalIdentity(identity, secrets.INTERNAL_AUTH_SECRET) });

// Every node that is in recovery, asked directly rather than through Patroni's member list: a node
// that rejoined after an earlier failover test may serve reads through HAProxy before Patroni lists it
// as a standby, and its replay must be paused too or it would show the event.
async function setReplay(action: 'pause' | 'resume'): Promise<void> {
  for (const url of listOf(platformEnv().USER_DB_NODE_URLS)) {
    await withClient(url, (client) => client.query(`DO $$ BEGIN IF pg_is_in_recovery() THEN PERFORM pg_wal_replay_${action}(); END IF; END $$`));
  }
}

/** pg_get_wal_replay_pause_state() of every node in recovery: 'not paused' would mean something resumed replay. */
async function replayPauseStates(): Promise<string[]> {
  const states: string[] = [];
  for (const url of listOf(platformEnv().USER_DB_NODE_URLS)) {
    const { rows } = await withClient(url, (client) => client.query<{ state: string | null }>('SELECT CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END AS state'));
    if (rows[0]?.state) states.push(rows[0].state);
  }
  return states;
}

type ReadCounts = { standby: number; primary: number; primaryAwaitingReplay: number; primaryAfterStandbyError: number };

async function readsServed(service: UserService): Promise<ReadCounts> {
  const status = (await service.http.inject({ method: 'GET', url: '/status' })).json<{ dependencies: Record<string, { details?: { reads_served?: ReadCounts } }> }>();
  const counts = status.dependencies['postgres-read']?.details?.reads_served;
  if (counts === undefined) throw new Error('no read counts in /status');
  return counts;
}

let a: UserService;
let b: UserService;

beforeAll(async () => {
  await wholeCluster();
  await migrate(platformEnv().USER_DB_WRITE_URL, createLogger({ service: 'user', instance: 'migrate', level: 'silent' }));
  [a, b] = [await start('ryw-a'), await start('ryw-b')];
}, 60_000);

afterAll(async () => {
  await setReplay('resume');
  await maintenanceMode(false);
  for (const { service, db } of instances) {
    await service.close();
    await db.close();
  }
});

describe('read-your-writes across instances', () => {
  it('a writer reads their own write on another instance while the standbys lag; others read the standbys', async () => {
    const email = `ryw-${randomUUID().slice(0, 8)}@example.test`;
    const registered = await a.http.inject({ method: 'POST', url: '/user/register', payload: { email, password: 'correct horse battery staple' } });
    expect(registered.statusCode).toBe(201);
    const organizerId = registered.json<{ id: string }>().id;
    const admin: Identity = { userId: randomUUID(), email: 'admin@example.test', roles: ['buyer', 'admin'] };
    expect((await a.http.inject({ method: 'PUT', url: `/user/${organizerId}/roles/organizer`, headers: await as(admin) })).statusCode).toBe(200);
    const organizer: Identity = { userId: organizerId, email, roles: ['buyer', 'organizer'] };
    const bystander: Identity = { userId: randomUUID(), email: 'bystander@example.test', roles: ['buyer'] };
    const tag = `ryw${randomUUID().slice(0, 8)}`;
    // Until B's Redis Cluster client is connected a mark look-up fails and the read goes to the primary (safe, but not what this test is about).
    await eventually('instance B to read write marks from Redis', async () => {
      const start = await readsServed(b);
      await b.http.inject({ method: 'GET', url: `/user/${organizerId}`, headers: await as(organizer) });
      return (await readsServed(b)).primary === start.primary ? true : undefined;
    }, 10_000);

    try {
      await maintenanceMode(true);
      await setReplay('pause');
      const created = await a.http.inject({
        method: 'POST',
        url: '/event',
        headers: await as(organizer),
        payload: {
          name: `Replay ${tag}`, description: '', date_time: new Date(Date.now() + 86_400_000).toISOString(),
          venue: { name: 'Hall', location: 'Chisinau', capacity: 10 }, total_seats: 10, price: 100, currency: 'EUR',
        },
      });
      expect(created.statusCode).toBe(201);
      const eventId = created.json<{ id: string }>().id;
      const before = await readsServed(b);

      // The organizer, on instance B: the write mark came through Redis; no standby has the event, so the primary answers.
      const mine = await b.http.inject({ method: 'GET', url: `/event?q=${tag}`, headers: await as(organizer) });
      expect(mine.json<{ total: number }>().total).toBe(1);
      expect((await b.http.inject({ method: 'GET', url: `/event/${eventId}`, headers: await as(organizer) })).statusCode).toBe(200);
      // Their own profile, with the role just granted, the same way.
      expect((await b.http.inject({ method: 'GET', url: `/user/${organizerId}`, headers: await as(organizer) })).json()).toMatchObject({ roles: ['buyer', 'organizer'] });
      const after = await readsServed(b);
      expect(after.primaryAwaitingReplay - before.primaryAwaitingReplay).toBe(3);

      // Anyone else reads a standby, which has not replayed the event: not listed yet (bounded staleness, by design).
      // Two different pages: the same query twice would be answered the second time by the service's cache.
      for (const [headers, page] of [[{}, ''], [await as(bystander), '&limit=10']] as const) {
        expect((await b.http.inject({ method: 'GET', url: `/event?q=${tag}${page}`, headers })).json<{ total: number }>().total).toBe(0);
      }
      expect((await readsServed(b)).standby - after.standby).toBe(2);
      // The premise held throughout: replay was still paused on both standbys ('pause requested' until a record arrives).
      const states = await replayPauseStates();
      expect(states).toHaveLength(2);
      expect(states).not.toContain('not paused');
    } finally {
      await setReplay('resume');
      await maintenanceMode(false);
    }

    // Replayed: the organizer's reads go back to the standbys.
    await eventually('the organizer\'s reads to be served by a standby again', async () => {
      const start = await readsServed(b);
      const listed = (await b.http.inject({ method: 'GET', url: `/event?q=${tag}`, headers: await as(organizer) })).json<{ total: number }>().total;
      const end = await readsServed(b);
      return listed === 1 && end.standby === start.standby + 1 ? true : undefined;
    }, 10_000);
  });
});
