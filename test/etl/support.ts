import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@eticket/logging';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { runEtl, type EtlSettings, type RunRequest, type RunResult } from '../../services/etl/src/jobs/run-etl';
import { migrate as migrateWarehouse } from '../../services/etl/src/store/migrate';
import { migrate as migrateUserDb } from '../../services/user/src/store/migrate';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';

// The ETL against the platform's real databases: the User Service's Patroni
// cluster (written on the primary, read by the ETL through HAProxy's standby
// port), FerretDB and the warehouse. The warehouse schemas are dropped and
// migrated again per file, so each file starts from an empty warehouse; the
// sources are shared with other files and only ever grow.

export interface Harness {
  readonly warehouse: pg.Pool;
  readonly primary: pg.Pool;
  readonly standby: pg.Pool;
  readonly mongo: MongoClient;
  readonly db: Db;
  readonly logger: Logger;
  settings(overrides?: Partial<EtlSettings>): EtlSettings;
  run(overrides?: Partial<EtlSettings>, request?: Partial<RunRequest>): Promise<RunResult>;
  close(): Promise<void>;
}

export async function resetWarehouse(url: string, logger: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS dw CASCADE; DROP SCHEMA IF EXISTS staging CASCADE; DROP SCHEMA IF EXISTS etl CASCADE; DROP TABLE IF EXISTS pgmigrations');
  } finally {
    await client.end();
  }
  await migrateWarehouse(url, logger);
}

export async function startHarness(): Promise<Harness> {
  const env = platformEnv();
  const logger = createLogger({ service: 'etl', instance: 'etl-test', level: 'silent' });
  await migrateUserDb(env.USER_DB_WRITE_URL, logger);
  await resetWarehouse(env.WAREHOUSE_DB_URL, logger);
  const pool = (url: string) => {
    const created = new pg.Pool({ connectionString: url, max: 4 });
    created.on('error', () => undefined);
    return created;
  };
  const mongo = new MongoClient(env.ORDER_MONGO_URL);
  await mongo.connect();
  const settings = (overrides: Partial<EtlSettings> = {}): EtlSettings => ({
    warehouseUrl: env.WAREHOUSE_DB_URL,
    userDbUrl: env.USER_DB_READ_URL,
    orderDbUrl: env.ORDER_MONGO_URL,
    instance: 'etl-test',
    overlapMs: 2_000,
    batchSize: 500,
    sourceTimeoutMs: 2_000,
    requireStandby: true,
    ...overrides,
  });
  const harness: Harness = {
    warehouse: pool(env.WAREHOUSE_DB_URL),
    primary: pool(env.USER_DB_WRITE_URL),
    standby: pool(env.USER_DB_READ_URL),
    mongo,
    db: mongo.db(),
    logger,
    settings,
    run: (overrides = {}, request = {}) => runEtl({ settings: settings(overrides), logger }, { trigger: 'manual', ...request }),
    close: async () => {
      await Promise.all([harness.warehouse.end(), harness.primary.end(), harness.standby.end(), mongo.close()]);
    },
  };
  return harness;
}

export interface SeededEvent {
  readonly id: string;
  readonly priceMinor: number;
  readonly currency: string;
  readonly totalSeats: number;
}

/** Users straight into the User Service's table on the primary (the ETL never sees the password hash). */
export async function seedUsers(h: Harness, count: number, createdAt = new Date()): Promise<string[]> {
  const { rows } = await h.primary.query<{ id: string }>(
    `INSERT INTO users (email, password_hash, roles, created_at, updated_at)
     SELECT 'etl-' || gen_random_uuid() || '@example.test', 'not-a-hash', ARRAY['buyer'], $2, $2 FROM generate_series(1, $1) RETURNING id`,
    [count, createdAt],
  );
  return rows.map((row) => row.id);
}

export type EventSpec = Omit<SeededEvent, 'id'>;

export async function seedEvents(h: Harness, organizerId: string, specs: readonly EventSpec[], createdAt = new Date()): Promise<SeededEvent[]> {
  const venue = await h.primary.query<{ id: string }>(
    `INSERT INTO venues (name, location, capacity) VALUES ($1, 'Chisinau', 1000000) RETURNING id`, [`ETL hall ${randomUUID().slice(0, 8)}`]);
  const venueId = venue.rows[0]!.id;
  const events: SeededEvent[] = [];
  for (const spec of specs) {
    const { rows } = await h.primary.query<{ id: string }>(
      `INSERT INTO events (organizer_id, venue_id, name, description, date_time, total_seats, available_seats, price_minor, currency, created_at)
       VALUES ($1, $2, $3, '', now() + interval '30 days', $4, $4, $5, $6, $7) RETURNING id`,
      [organizerId, venueId, `ETL event ${randomUUID().slice(0, 8)}`, spec.totalSeats, spec.priceMinor, spec.currency, createdAt]);
    events.push({ id: rows[0]!.id, ...spec });
  }
  return events;
}

/** Waits until the standby the ETL reads has replayed these rows. */
export async function replicated(h: Harness, table: 'users' | 'events', ids: readonly string[]): Promise<void> {
  await eventually(`${table} on the standby`, async () => {
    const { rows } = await h.standby.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]);
    return rows[0]?.n === ids.length ? true : undefined;
  });
}

/** Also waits for a change (an update) to reach the standby. */
export async function replicatedWhere(h: Harness, sql: string, values: unknown[]): Promise<void> {
  await eventually('the change on the standby', async () => ((await h.standby.query(sql, values)).rowCount ?? 0) > 0 ? true : undefined);
}

/** A port nobody listens on: a source there is "down" (connection refused at once). */
export const closedPort = freePort;

/** A digest of every row of every warehouse data table (staging and dw), to show that a run changed nothing. */
export async function warehouseChecksums(h: Harness): Promise<Record<string, string>> {
  const tables = [
    'staging.users', 'staging.events', 'staging.order_placements', 'staging.order_decisions', 'staging.order_closures', 'staging.payments',
    'dw.dim_date', 'dw.dim_user', 'dw.dim_event', 'dw.fact_order', 'dw.fact_payment', 'etl.watermarks', 'etl.quarantine',
  ];
  const out: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await h.warehouse.query<{ n: number; digest: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM ${table} t`);
    out[table] = `${rows[0]?.n ?? 0}:${rows[0]?.digest ?? '-'}`;
  }
  return out;
}

export function succeeded(result: RunResult): Exclude<RunResult, { status: 'skipped' }> {
  if (result.status !== 'succeeded') throw new Error(`ETL run ${result.status}${'error' in result ? `: ${result.error ?? ''}` : ''}`);
  return result;
}
