// Order placement throughput: `npm run bench:orders` prints, in one run,
// confirmed orders/s and p50/p99 latency for
//   hot     every order for one event (two-phase commit);
//   spread  the same load spread over 100 events (two-phase commit);
//   local   the hot load placed with one local transaction instead of the
//           two-phase commit (ORDER_PLACEMENT_MODE=local: the same order
//           documents, seats claimed and committed in one PostgreSQL
//           transaction, no prepare, no decision record, no phase 2);
// and the ratios hot/spread (target >= 0.8) and 2PC/local (target >= 0.6).
//
// Needs the platform: USER_DB_WRITE_URL and ORDER_MONGO_URL from the
// environment, or a running platform (`npx tsx platform/src/cli.ts up
// --infra-only`) whose env file is read from ETICKET_PLATFORM_DATA_DIR
// (default .data/platform). Starts its own User Service and two Ticket Order
// Services (2PC and local) as real processes on free ports, log level warn.
// Requests go straight to the order service with the identity assertion the
// gateway would add (the gateway is measured by bench:event), each with a
// fresh Idempotency-Key, quantity 1. "Confirmed" = answered 201 with the seats
// held (order_status pending_payment).
// Holds last an hour and the safety-net scans run every 10 minutes during the
// run (see below). CPU per confirmed order (services + platform processes,
// from /proc) is printed too: on a shared machine it is the steadier measure.
// BENCH_CONNECTIONS (default 32), BENCH_DURATION_SECONDS (default 10) and
// BENCH_ROUNDS (default 1: each scenario once; more rounds interleave them and
// report the median) tune it. BENCH_ONE_BUCKET=1 adds `one-bucket`: the hot
// load on an event whose inventory is a single row, the design the buckets
// replace (docs/seat-inventory.md).
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { signInternalIdentity, type Identity } from '@eticket/auth';
import { repoRoot } from '../platform/src/index';
import { freePort } from '../test/support/free-port';
import { spawnService, type ServiceProcess } from '../test/support/service-process';
import { platformDataLayout, runningPlatformEnv } from './support/platform-env';
import { treeCpuMs } from './support/process-cpu';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const WARMUP = 3;
const SPREAD_EVENTS = 100;
const BUYERS = 20;

/** The platform runner's pid (its descendants are every platform process), when the platform is ours to read. */
function platformSupervisorPid(): number | undefined {
  const pidsFile = platformDataLayout().pidsFile;
  if (!existsSync(pidsFile)) return undefined;
  const pid = (JSON.parse(readFileSync(pidsFile, 'utf8')) as { supervisorPid?: unknown }).supervisorPid;
  return typeof pid === 'number' ? pid : undefined;
}

function platformEnv(): { userDb: string; mongo: string } {
  const env = runningPlatformEnv(['USER_DB_WRITE_URL', 'ORDER_MONGO_URL']);
  return { userDb: env.USER_DB_WRITE_URL, mongo: env.ORDER_MONGO_URL };
}

async function json(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, { ...init, headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers } });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${response.status} ${JSON.stringify(body)}`);
  return body;
}

interface Measurement {
  readonly scenario: string;
  readonly confirmedPerSecond: number;
  /** CPU of the services and the platform per confirmed order; NaN when not measured. */
  readonly cpuMsPerOrder: number;
  readonly p50: number;
  readonly p99: number;
  readonly refused: number;
  readonly errors: number;
}

interface Target {
  readonly scenario: string;
  readonly orderUrl: string;
  readonly events: readonly string[];
}

async function measure(target: Target, seconds: number, identities: readonly string[], cpuRoots: readonly number[] = []): Promise<Measurement> {
  let next = 0;
  const cpuBefore = treeCpuMs(cpuRoots);
  const result = await autocannon({
    url: `${target.orderUrl}/order`,
    connections: CONNECTIONS,
    duration: seconds,
    pipelining: 1,
    requests: [{
      method: 'POST',
      setupRequest: (request) => {
        next += 1;
        const eventId = target.events[next % target.events.length];
        return {
          ...request,
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), 'x-eticket-identity': identities[next % identities.length] ?? '' },
          body: JSON.stringify({ event_id: eventId, quantity: 1 }),
        };
      },
    }],
  });
  const cpu = treeCpuMs(cpuRoots) - cpuBefore;
  return {
    scenario: target.scenario,
    confirmedPerSecond: result['2xx'] / seconds,
    cpuMsPerOrder: cpuRoots.length > 0 && result['2xx'] > 0 ? cpu / result['2xx'] : Number.NaN,
    p50: result.latency.p50,
    p99: result.latency.p99,
    refused: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const platform = platformEnv();
  // A database of its own per run: every run starts from empty collections (FerretDB's background
  // scans read whole collections, so history left by earlier runs would be measured too).
  const mongoUrl = new URL(platform.mongo);
  mongoUrl.pathname = `/bench_orders_${Date.now()}`;
  platform.mongo = mongoUrl.toString();
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  type Six = [number, number, number, number, number, number];
  const [userHttp, userGrpc, twoPcHttp, twoPcGrpc, localHttp, localGrpc] = (await Promise.all(Array.from({ length: 6 }, () => freePort()))) as Six;
  const userUrl = `http://127.0.0.1:${userHttp}`;
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    started.push(await spawnService({
      name: 'bench-orders-user',
      entry: 'services/user/src/main.ts',
      env: {
        ...secrets,
        USER_DB_WRITE_URL: platform.userDb,
        USER_DB_READ_URL: platform.userDb,
        PORT: String(userHttp),
        GRPC_PORT: String(userGrpc),
        USER_DB_POOL_SIZE: '20',
        ORDER_SERVICE_GRPC_ADDR: `127.0.0.1:${twoPcGrpc}`,
        NODE_ENV: 'production',
      },
      healthUrl: `${userUrl}/status`,
      timeoutMs: 60_000,
    }));
    const orderService = async (name: string, http: number, grpc: number, mode: string) => {
      started.push(await spawnService({
        name,
        entry: 'services/order/src/main.ts',
        env: {
          INTERNAL_AUTH_SECRET: secrets.INTERNAL_AUTH_SECRET,
          ORDER_MONGO_URL: platform.mongo,
          USER_SERVICE_GRPC_ADDR: `127.0.0.1:${userGrpc}`,
          PORT: String(http),
          GRPC_PORT: String(grpc),
          ORDER_PLACEMENT_MODE: mode,
          NODE_ENV: 'production',
          // Holds outlive the run, so no expiry work (of this run or an earlier one) competes with the measurement.
          HOLD_TTL_SECONDS: '3600',
          // The safety-net scans (default every 30 s) run at start-up and then every 10 min: on FerretDB
          // each reads whole collections, and whichever scenario one happened to overlap would pay for it
          // (measured: up to twice the CPU per order). Their cost is a property of FerretDB, not of 2PC.
          RECOVERY_SCAN_INTERVAL_MS: '600000',
        },
        healthUrl: `http://127.0.0.1:${http}/health`,
        timeoutMs: 60_000,
      }));
      return `http://127.0.0.1:${http}`;
    };
    const twoPcUrl = await orderService('bench-orders-2pc', twoPcHttp, twoPcGrpc, 'two_phase_commit');
    const localUrl = await orderService('bench-orders-local', localHttp, localGrpc, 'local');

    // Real accounts (notifications reference them); an organizer through the admin role the identity assertion carries.
    const buyers: Identity[] = [];
    for (let i = 0; i < BUYERS; i += 1) {
      const email = `bench-${randomUUID().slice(0, 12)}@example.test`;
      const user = await json(`${userUrl}/user/register`, { method: 'POST', body: JSON.stringify({ email, password: 'correct horse battery staple' }) });
      buyers.push({ userId: String(user.id), email, roles: ['buyer'] });
    }
    const admin: Identity = { userId: randomUUID(), email: 'bench-admin@example.test', roles: ['buyer', 'admin'] };
    const organizer = buyers[0]!;
    await json(`${userUrl}/user/${organizer.userId}/roles/organizer`, { method: 'PUT', headers: { 'x-eticket-identity': await signInternalIdentity(admin, secrets.INTERNAL_AUTH_SECRET) } });
    const asOrganizer = { 'x-eticket-identity': await signInternalIdentity({ ...organizer, roles: ['buyer', 'organizer'] }, secrets.INTERNAL_AUTH_SECRET) };
    const createEvent = async (seats: number) => String((await json(`${userUrl}/event`, {
      method: 'POST',
      headers: asOrganizer,
      body: JSON.stringify({
        name: `Bench ${randomUUID().slice(0, 6)}`,
        description: 'order placement benchmark',
        date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        venue: { name: 'Bench Arena', location: 'Localhost', capacity: seats },
        total_seats: seats,
        price: 4_900,
        currency: 'EUR',
      }),
    })).id);
    // Far more seats than a run sells, so every order is confirmed and the measurement is not of refusals.
    const hotEvent = await createEvent(1_000_000);
    const localEvent = await createEvent(1_000_000);
    const spreadEvents: string[] = [];
    for (let i = 0; i < SPREAD_EVENTS; i += 1) spreadEvents.push(await createEvent(100_000));

    const targets: Target[] = [
      { scenario: 'hot', orderUrl: twoPcUrl, events: [hotEvent] },
      { scenario: 'spread', orderUrl: twoPcUrl, events: spreadEvents },
      { scenario: 'local', orderUrl: localUrl, events: [localEvent] },
    ];
    // Measured once, after the rounds: its refused requests keep retrying for a while after the
    // client stops, which would slow whatever scenario ran next.
    let oneBucket: Target | undefined;
    if (process.env.BENCH_ONE_BUCKET === '1') {
      const eventId = await createEvent(1_000_000);
      const db = new pg.Client({ connectionString: platform.userDb });
      await db.connect();
      await db.query('DELETE FROM seat_buckets WHERE event_id = $1', [eventId]);
      await db.query('INSERT INTO seat_buckets (event_id, bucket_no, available) VALUES ($1, 0, 1000000)', [eventId]);
      await db.end();
      oneBucket = { scenario: 'one-bucket', orderUrl: twoPcUrl, events: [eventId] };
    }
    const supervisor = platformSupervisorPid();
    const cpuRoots = [...started.map((service) => service.pid), ...(supervisor === undefined ? [] : [supervisor])];
    // Identity assertions live 60 s: signed again before each measurement.
    const identities = () => Promise.all(buyers.map((buyer) => signInternalIdentity(buyer, secrets.INTERNAL_AUTH_SECRET)));

    process.stdout.write(`POST /order, quantity 1 - ${CONNECTIONS} connections, ${DURATION} s per scenario, ${ROUNDS} round(s), after a ${WARMUP} s warm-up of each\n`);
    for (const target of targets) await measure(target, WARMUP, await identities());
    const rounds: Measurement[][] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const results: Measurement[] = [];
      for (const target of targets) {
        results.push(await measure(target, DURATION, await identities(), cpuRoots));
        // Requests still in flight when the client stopped finish before the next scenario starts.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      rounds.push(results);
    }
    if (oneBucket !== undefined) {
      await measure(oneBucket, WARMUP, await identities());
      rounds.push([await measure(oneBucket, DURATION, await identities(), cpuRoots)]);
      targets.push(oneBucket);
    }
    const summary = targets.map((target) => {
      const of = rounds.flatMap((results) => results.filter((result) => result.scenario === target.scenario));
      return {
        scenario: target.scenario,
        confirmedPerSecond: median(of.map((m) => m.confirmedPerSecond)),
        cpuMsPerOrder: median(of.map((m) => m.cpuMsPerOrder)),
        p50: median(of.map((m) => m.p50)),
        p99: median(of.map((m) => m.p99)),
        refused: of.reduce((sum, m) => sum + m.refused, 0),
        errors: of.reduce((sum, m) => sum + m.errors, 0),
      };
    });
    const [hot, spread, local] = summary as [Measurement, Measurement, Measurement];
    const cell = (value: number, digits = 0) => (Number.isNaN(value) ? '-' : value.toFixed(digits));
    const rows = summary.map((m) => [
      m.scenario.padEnd(10),
      cell(m.confirmedPerSecond).padStart(11),
      cell(m.p50).padStart(7),
      cell(m.p99).padStart(7),
      cell(m.cpuMsPerOrder, 1).padStart(12),
      String(m.refused).padStart(8),
      String(m.errors).padStart(7),
    ].join(' '));
    process.stdout.write(`\nscenario   confirmed/s  p50 ms  p99 ms  cpu ms/order  refused  errors\n${rows.join('\n')}\n`);
    const hotOverSpread = hot.confirmedPerSecond / spread.confirmedPerSecond;
    const twoPcOverLocal = hot.confirmedPerSecond / local.confirmedPerSecond;
    process.stdout.write(`\nhot/spread = ${hotOverSpread.toFixed(2)} (target >= 0.8)\n2PC/local  = ${twoPcOverLocal.toFixed(2)} (target >= 0.6)\n`);
    if (!Number.isNaN(hot.cpuMsPerOrder)) {
      // At saturation throughput is CPU / (CPU per order), so these are the same ratios without the other tenants' noise.
      process.stdout.write(`by CPU per order (services + platform): hot/spread = ${(spread.cpuMsPerOrder / hot.cpuMsPerOrder).toFixed(2)}, 2PC/local = ${(local.cpuMsPerOrder / hot.cpuMsPerOrder).toFixed(2)}\n`);
    }

    const resultsDir = join(repoRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `orders-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ connections: CONNECTIONS, durationSeconds: DURATION, rounds: ROUNDS, summary, raw: rounds, hotOverSpread, twoPcOverLocal }, null, 2)}\n`);
    process.stdout.write(`results written to ${file}\n`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
