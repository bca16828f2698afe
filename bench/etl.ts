// The ETL on a realistic data set: `npm run bench:etl`.
//
// Starts a platform of its own (infrastructure only, base port 14000 or
// BENCH_ETL_BASE_PORT, data in .data/bench-etl, wiped first), generates
// BENCH_ETL_ORDERS orders (default 100,000) with their decisions, closures and
// payment attempts in MongoDB (FerretDB), 20,000 users and 500 events on the
// User Service's primary (bulk inserts), waits for the standby, then runs:
//   1. a full ETL run (everything is new),
//   2. changes ~1 % of the orders (pending holds paid, expired or cancelled;
//      some role changes), and an incremental run.
// Prints rows extracted and loaded, the duration and rows/s of each, checks
// that the warehouse reconciles with the sources, writes the figures to
// bench/results/etl-<time>.json and stops the platform.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { createLogger } from '@eticket/logging';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { runEtl, type RunResult } from '../services/etl/src/jobs/run-etl';
import { migrate as migrateWarehouse } from '../services/etl/src/store/migrate';
import { formatRun } from '../services/etl/src/report-run';
import { migrate as migrateUserDb } from '../services/user/src/store/migrate';
import { repoRoot, startPlatform, type PlatformHandle } from '../platform/src/index';
import { insertOrders, orderDocuments, paymentDocument, pickStatus, seededRandom, type Document, type OrderDocuments, type PaymentOutcome } from '../test/etl/fixtures';
import { sourceTotals, warehouseTotals } from '../test/etl/reconcile';

const ORDERS = Number(process.env.BENCH_ETL_ORDERS ?? 100_000);
const USERS = 20_000;
const EVENTS = 500;
const BASE_PORT = Number(process.env.BENCH_ETL_BASE_PORT ?? 14000);
const CHANGE_SHARE = 0.01;
const DAY_MS = 86_400_000;
const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'USD', 'MDL'] as const;

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const logger = createLogger({ service: 'etl', instance: 'etl-bench', level: 'warn' });

interface EventRow { id: string; price_minor: string; currency: string }

async function seedUserDb(primary: pg.Pool): Promise<{ users: string[]; events: EventRow[] }> {
  const created = new Date(Date.now() - 200 * DAY_MS);
  const users = await primary.query<{ id: string }>(
    `INSERT INTO users (email, password_hash, roles, created_at, updated_at)
     SELECT 'bench-' || i || '@example.test', 'not-a-hash', ARRAY['buyer'], $2::timestamptz + i * interval '10 minutes', $2::timestamptz + i * interval '10 minutes'
       FROM generate_series(1, $1) AS i RETURNING id`, [USERS, created]);
  const organizer = users.rows[0]!.id;
  await primary.query(`INSERT INTO venues (name, location, capacity) SELECT 'Bench hall ' || i, 'City ' || (i % 7), 100000 FROM generate_series(1, 20) AS i`);
  const events = await primary.query<EventRow>(
    `INSERT INTO events (organizer_id, venue_id, name, description, date_time, total_seats, available_seats, price_minor, currency, created_at)
     SELECT $1, (SELECT id FROM venues WHERE name = 'Bench hall ' || (1 + i % 20)), 'Bench event ' || i, '', now() + i * interval '1 day',
            2000 + (i % 10) * 1000, 2000 + (i % 10) * 1000, 1000 + (i % 40) * 250, ($3::text[])[1 + i % 6], $2::timestamptz + i * interval '1 hour'
       FROM generate_series(1, $4) AS i RETURNING id, price_minor, currency`, [organizer, created, [...CURRENCIES], EVENTS]);
  return { users: users.rows.map((row) => row.id), events: events.rows };
}

function generateOrders(users: readonly string[], events: readonly EventRow[]): OrderDocuments[] {
  const random = seededRandom(2026);
  // Placed over the last 90 days, the newest an hour ago, so every document (an expiry comes 10 minutes after its order) is in the past.
  const newest = Date.now() - 3_600_000;
  return Array.from({ length: ORDERS }, () => {
    const event = events[Math.floor(random() * events.length)]!;
    const status = pickStatus(random);
    const extra: PaymentOutcome[] = random() < 0.12 ? ['failed'] : [];
    if ((status === 'expired' || status === 'cancelled') && random() < 0.1) extra.push('refunded');
    return orderDocuments({
      userId: users[Math.floor(random() * users.length)]!, eventId: event.id, quantity: 1 + Math.floor(random() * 4), unitPriceMinor: Number(event.price_minor),
      currency: event.currency, status, createdAt: new Date(newest - Math.floor(random() * 90 * DAY_MS)), extraPayments: extra,
    });
  });
}

/** ~1 % of the orders change: holds waiting for payment end (paid with a new attempt, expired or cancelled); plus some role changes. */
async function changeOrders(mongo: MongoClient, primary: pg.Pool, orders: readonly OrderDocuments[], users: readonly string[]): Promise<number> {
  const pending = orders.filter((o) => o.decision?.outcome === 'commit' && o.closure === null);
  const changing = pending.slice(0, Math.round(orders.length * CHANGE_SHARE));
  const at = new Date(Date.now() - 1_000);
  const closures: Document[] = [];
  const payments: Document[] = [];
  changing.forEach((order, i) => {
    const id = order.placement._id;
    if (i % 10 < 6) {
      const payment = paymentDocument({ orderId: id, userId: String(order.placement.user_id), totalMinor: Number(order.decision!.total_minor), currency: String(order.decision!.currency) }, 'succeeded', new Date(at.getTime() - 500), 400);
      payments.push(payment);
      closures.push({ _id: id, outcome: 'paid', at, payment_id: payment._id, payment_method: 'card' });
    } else {
      closures.push({ _id: id, outcome: i % 10 < 9 ? 'expired' : 'cancelled', at });
    }
  });
  const db = mongo.db();
  if (payments.length > 0) await db.collection<Document>('payments').insertMany(payments, { ordered: false });
  if (closures.length > 0) await db.collection<Document>('order_closures').insertMany(closures, { ordered: false });
  await primary.query('UPDATE users SET roles = ARRAY[\'buyer\', \'organizer\'], updated_at = now() WHERE id = ANY($1::uuid[])', [users.slice(0, 100)]);
  return changing.length;
}

async function waitForStandby(primary: pg.Pool, standby: pg.Pool): Promise<void> {
  const count = async (pool: pg.Pool) => (await pool.query<{ n: string }>('SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM events) + (SELECT count(*) FROM users WHERE \'organizer\' = ANY(roles)) AS n')).rows[0]!.n;
  const target = await count(primary);
  const deadline = Date.now() + 60_000;
  while ((await count(standby)) !== target) {
    if (Date.now() > deadline) throw new Error('the standby did not catch up within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Figures {
  readonly durationMs: number;
  readonly extracted: number;
  readonly loaded: number;
  readonly merged: number;
  readonly rowsPerSecond: number;
}

function figures(result: RunResult): Figures {
  if (result.status !== 'succeeded') throw new Error(`the run ${result.status}: ${formatRun(result)}`);
  const extracted = result.sources.reduce((n, s) => n + s.extracted, 0);
  return {
    durationMs: result.durationMs,
    extracted,
    loaded: result.sources.reduce((n, s) => n + s.loaded, 0),
    merged: Object.values(result.merged).reduce((n, m) => n + m, 0),
    rowsPerSecond: extracted / (result.durationMs / 1000),
  };
}

async function main(): Promise<void> {
  const dataDir = join(repoRoot, '.data', 'bench-etl');
  log(`starting a platform on base port ${BASE_PORT} (infrastructure only, ${dataDir})`);
  const platform: PlatformHandle = await startPlatform({ dataDir, fresh: true, basePort: BASE_PORT, cacheTopology: 'cluster', log: () => undefined });
  const env = platform.env;
  const primary = new pg.Pool({ connectionString: env.USER_DB_WRITE_URL, max: 2 });
  const standby = new pg.Pool({ connectionString: env.USER_DB_READ_URL, max: 2 });
  const warehouse = new pg.Pool({ connectionString: env.WAREHOUSE_DB_URL, max: 2 });
  const mongo = new MongoClient(env.ORDER_MONGO_URL);
  try {
    await mongo.connect();
    await migrateUserDb(env.USER_DB_WRITE_URL, logger);
    await migrateWarehouse(env.WAREHOUSE_DB_URL, logger);

    let t = Date.now();
    const { users, events } = await seedUserDb(primary);
    const orders = generateOrders(users, events);
    await insertOrders(mongo.db(), orders);
    await waitForStandby(primary, standby);
    const documents = orders.reduce((n, o) => n + 1 + (o.decision === null ? 0 : 1) + (o.closure === null ? 0 : 1) + o.payments.length, 0);
    log(`generated ${users.length} users, ${events.length} events, ${orders.length} orders = ${documents} order documents (placements, decisions, closures, payments) in ${seconds(Date.now() - t)}`);

    const settings = {
      warehouseUrl: env.WAREHOUSE_DB_URL, userDbUrl: env.USER_DB_READ_URL, orderDbUrl: env.ORDER_MONGO_URL, instance: 'etl-bench',
      overlapMs: 120_000, batchSize: 5_000, sourceTimeoutMs: 5_000, requireStandby: true,
    };
    const full = await runEtl({ settings, logger }, { trigger: 'manual' });
    log(`\nfull run:\n${formatRun(full)}`);
    const fullFigures = figures(full);

    t = Date.now();
    const changed = await changeOrders(mongo, primary, orders, users);
    await waitForStandby(primary, standby);
    log(`\nchanged ${changed} orders (${(CHANGE_SHARE * 100).toFixed(0)} %) and 100 users in ${seconds(Date.now() - t)}`);
    const incremental = await runEtl({ settings, logger }, { trigger: 'manual' });
    log(`\nincremental run:\n${formatRun(incremental)}`);
    const incrementalFigures = figures(incremental);

    const [source, loaded] = await Promise.all([sourceTotals({ primary, db: mongo.db(), warehouse }), warehouseTotals({ primary, db: mongo.db(), warehouse })]);
    const reconciled = isDeepStrictEqual(source, loaded);
    if (!reconciled) log(`sources:   ${JSON.stringify(source)}\nwarehouse: ${JSON.stringify(loaded)}`);

    log('\n| run | rows extracted | rows loaded (staging) | rows merged (dw) | duration | rows/s |');
    log('|---|---:|---:|---:|---:|---:|');
    for (const [name, f] of [['full', fullFigures], ['incremental (1 % changed)', incrementalFigures]] as const) {
      log(`| ${name} | ${f.extracted} | ${f.loaded} | ${f.merged} | ${seconds(f.durationMs)} | ${Math.round(f.rowsPerSecond)} |`);
    }
    log(`\nwarehouse reconciles with the sources: ${reconciled ? 'yes' : 'NO'}`);
    const resultsDir = join(repoRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `etl-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ orders: ORDERS, users: USERS, events: EVENTS, documents, changed, full: fullFigures, incremental: incrementalFigures, reconciled }, null, 2)}\n`);
    log(`figures written to ${file}`);
    if (!reconciled) process.exitCode = 1;
  } finally {
    await mongo.close().catch(() => undefined);
    await Promise.all([primary.end(), standby.end(), warehouse.end()]).catch(() => undefined);
    log('stopping the platform');
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
