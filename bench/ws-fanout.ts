// WebSocket fan-out through the gateway: `npm run bench:ws`.
//
// Connects BENCH_WS_CLIENTS (default 5,000) WebSocket clients to
// GET /notification through the gateway (two User Service instances behind
// it, found through etcd, fanning out through the platform's Redis Cluster),
// each a different user watching the same event. Then, BENCH_WS_ROUNDS times
// (default 5), a buyer places an order of one seat through the gateway (the
// Ticket Order Service's two-phase commit reserves it in the User Service)
// and every client waits for the availability frame with the new count.
// Prints:
//  - memory per connection: the RSS growth of the User Service instances
//    (together) and of the gateway from before the clients connected to after,
//    divided by the connections (RSS from /proc/<pid>/status);
//  - delivery latency p50/p99 from the moment the order was sent (so it
//    includes the order's two-phase commit and the availability coalescing),
//    and from the moment its 201 arrived;
//  - missing deliveries (a client that got no frame with the count within
//    10 s of its order).
// Figures only, no pass/fail: the machine is shared.
//
// Needs a running platform with FerretDB (`npx tsx platform/src/cli.ts up
// --infra-only`); its env file is read from ETICKET_PLATFORM_DATA_DIR
// (default .data/platform). 5,000 clients need about 11,000 file
// descriptors in the gateway (two per client) and 5,000 in this process and
// across the User Service instances: the npm script raises the soft limit
// (`ulimit -n`, inherited by every process it starts) to the hard limit
// before starting, and this script checks what it got.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { issueAccessToken } from '@eticket/auth';
import WebSocket from 'ws';
import type { PlatformEnv } from '../platform/src/index';
import { freePort } from '../test/support/free-port';
import { spawnService, type ServiceProcess } from '../test/support/service-process';
import { runningPlatformEnv } from './support/platform-env';

const CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS ?? 5);
const CONNECT_CONCURRENCY = 100;
const DELIVERY_TIMEOUT_MS = 10_000;

function platformEnv(): Pick<PlatformEnv, 'ETCD_ENDPOINTS' | 'USER_DB_WRITE_URL' | 'USER_DB_READ_URL' | 'REDIS_CLUSTER_NODES' | 'ORDER_MONGO_URL'> {
  return runningPlatformEnv(['ETCD_ENDPOINTS', 'USER_DB_WRITE_URL', 'USER_DB_READ_URL', 'REDIS_CLUSTER_NODES', 'ORDER_MONGO_URL']);
}

interface JsonInit {
  readonly method?: string;
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

async function json(url: string, init: JsonInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** Resident set size of a process, in bytes. */
function rss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? Number.NaN : Number(match[1]) * 1024;
}

const KiB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface BenchClient {
  readonly socket: WebSocket;
  /** Arrival time of the first frame showing each count. */
  readonly seen: Map<number, number>;
}

function connect(url: string): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const client: BenchClient = { socket, seen: new Map() };
    socket.on('message', (data: WebSocket.RawData) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as { type: string; available_seats?: number };
      const seats = frame.type === 'availability' ? frame.available_seats : undefined;
      if (seats !== undefined && !client.seen.has(seats)) client.seen.set(seats, performance.now());
    });
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function main(): Promise<void> {
  const limit = Number(execFileSync('bash', ['-c', 'ulimit -n']).toString().trim());
  // Per process: the gateway holds two descriptors per client (the client's and the upstream socket).
  if (limit < CLIENTS * 2 + 1_000) console.warn(`warning: the file-descriptor limit is ${limit}; the gateway needs about ${CLIENTS * 2 + 1_000} for ${CLIENTS} clients (raise it with ulimit -n)`);
  const platform = platformEnv();
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  const namespace = `bench-ws-${randomBytes(4).toString('hex')}`;
  const discovery = { ETCD_ENDPOINTS: platform.ETCD_ENDPOINTS, DISCOVERY_NAMESPACE: namespace };
  const admin = { email: `bench-admin-${randomBytes(4).toString('hex')}@example.test`, password: 'bench-admin-password' };
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const started: ServiceProcess[] = [];
  const clients: BenchClient[] = [];
  const stopAll = async () => {
    for (const client of clients) client.socket.terminate();
    for (const service of started.reverse()) await service.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const users: ServiceProcess[] = [];
    for (const id of ['bench-ws-user-1', 'bench-ws-user-2']) {
      const [port, grpcPort] = [await freePort(), await freePort()];
      const user = await spawnService({
        name: id,
        entry: 'services/user/src/main.ts',
        env: {
          ...secrets,
          ...discovery,
          USER_DB_WRITE_URL: platform.USER_DB_WRITE_URL,
          USER_DB_READ_URL: platform.USER_DB_READ_URL,
          CACHE_TOPOLOGY: 'cluster',
          REDIS_CLUSTER_NODES: platform.REDIS_CLUSTER_NODES,
          PORT: String(port),
          GRPC_PORT: String(grpcPort),
          SERVICE_INSTANCE: id,
          ADMIN_EMAIL: admin.email,
          ADMIN_PASSWORD: admin.password,
        },
        healthUrl: `http://127.0.0.1:${port}/health`,
        timeoutMs: 90_000,
      });
      users.push(user);
      started.push(user);
    }
    const [orderPort, orderGrpc] = [await freePort(), await freePort()];
    const mongo = new URL(platform.ORDER_MONGO_URL);
    mongo.pathname = `/${namespace.replaceAll('-', '_')}`;
    started.push(await spawnService({
      name: 'bench-ws-order-1',
      entry: 'services/order/src/main.ts',
      env: {
        INTERNAL_AUTH_SECRET: secrets.INTERNAL_AUTH_SECRET,
        ...discovery,
        ORDER_MONGO_URL: mongo.toString(),
        PORT: String(orderPort),
        GRPC_PORT: String(orderGrpc),
        SERVICE_INSTANCE: `${namespace}-order-1`,
        PAYMENT_SIM_LATENCY_MS: '20',
        HOLD_TTL_SECONDS: '3600',
      },
      healthUrl: `http://127.0.0.1:${orderPort}/health`,
      timeoutMs: 90_000,
    }));
    const gateway = await spawnService({
      name: 'bench-ws-gateway',
      entry: 'services/gateway/src/main.ts',
      env: {
        ...secrets,
        ...discovery,
        GATEWAY_PORT: String(gatewayPort),
        SERVICE_INSTANCE: 'bench-ws-gateway',
        REDIS_CLUSTER_NODES: platform.REDIS_CLUSTER_NODES,
        CACHE_TOPOLOGY: 'cluster',
        RATE_LIMIT_CLIENT_MAX: '10000000',
        RATE_LIMIT_USER_MAX: '10000000',
        ROUTE_TIMEOUT_WRITE_MS: '30000',
        // One order per broadcast: the on-sale waiting room has nothing to do here.
        WAITING_ROOM_ENABLED: 'false',
      },
      healthUrl: `${gatewayUrl}/status/live`,
    });
    started.push(gateway);
    // Both user instances in the gateway's pool before anyone connects.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      const report = (await json(`${gatewayUrl}/status`).catch(() => ({}))) as { dependencies?: Record<string, { details?: { instances?: unknown[] } }> };
      if ((report.dependencies?.['user-service']?.details?.instances?.length ?? 0) >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const adminToken = (await json(`${gatewayUrl}/user/login`, { method: 'POST', body: admin })).access_token as string;
    const seats = 1_000;
    const event = await json(`${gatewayUrl}/event`, {
      method: 'POST',
      token: adminToken,
      body: { name: 'Fan-out night', description: '', date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(), venue: { name: 'Bench Arena', location: 'Localhost', capacity: seats }, total_seats: seats, price: 1_000, currency: 'EUR' },
    });
    const eventId = event.id as string;
    const buyerEmail = `bench-buyer-${randomBytes(4).toString('hex')}@example.test`;
    const buyer = await json(`${gatewayUrl}/user/register`, { method: 'POST', body: { email: buyerEmail, password: 'bench buyer password' } });
    const buyerToken = (await issueAccessToken({ userId: buyer.id as string, email: buyerEmail, roles: ['buyer'] }, secrets.JWT_SECRET, 3_600)).token;

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const before = { users: users.map((user) => rss(user.pid)), gateway: rss(gateway.pid) };

    // Every client a different user (tokens issued here with the stack's secret: no 5,000 password hashes).
    const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => issueAccessToken({ userId: randomUUID(), email: `fan-${i}@example.test`, roles: ['buyer'] }, secrets.JWT_SECRET, 3_600)));
    const connectStarted = performance.now();
    let failedConnects = 0;
    for (let next = 0; next < CLIENTS;) {
      const batch = tokens.slice(next, next + CONNECT_CONCURRENCY);
      next += batch.length;
      const settled = await Promise.allSettled(batch.map(({ token }) => connect(`ws://127.0.0.1:${gatewayPort}/notification?token=${token}`)));
      for (const result of settled) {
        if (result.status === 'fulfilled') clients.push(result.value);
        else failedConnects += 1;
      }
    }
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    for (const client of clients) client.socket.send(JSON.stringify({ type: 'watch', event_ids: [eventId] }));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = { users: users.map((user) => rss(user.pid)), gateway: rss(gateway.pid) };
    const connected = clients.length;

    const fromSent: number[] = [];
    const from201: number[] = [];
    let missing = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const expected = seats - round;
      const sent = performance.now();
      await json(`${gatewayUrl}/order`, { method: 'POST', token: buyerToken, headers: { 'idempotency-key': randomUUID() }, body: { event_id: eventId, quantity: 1 } });
      const answered = performance.now();
      await waitUntil(() => clients.every((client) => client.seen.has(expected) || client.socket.readyState !== WebSocket.OPEN), DELIVERY_TIMEOUT_MS);
      let roundMissing = 0;
      for (const client of clients) {
        const at = client.seen.get(expected);
        if (at === undefined) {
          roundMissing += 1;
          continue;
        }
        fromSent.push(at - sent);
        from201.push(Math.max(0, at - answered));
      }
      missing += roundMissing;
      console.log(`round ${round}: order answered after ${(answered - sent).toFixed(0)} ms; ${connected - roundMissing}/${connected} clients got available_seats=${expected}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    fromSent.sort((a, b) => a - b);
    from201.sort((a, b) => a - b);
    const userDelta = after.users.reduce((sum, value, i) => sum + value - (before.users[i] ?? 0), 0);
    const gatewayDelta = after.gateway - before.gateway;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log('');
    console.log(`WebSocket fan-out through the gateway (load average ${load}, file-descriptor limit ${limit})`);
    console.log(`  clients connected           ${connected} of ${CLIENTS} (${failedConnects} failed) in ${connectSeconds.toFixed(1)} s`);
    console.log(`  User Service RSS            ${after.users.map((value, i) => `${(value / 1_048_576).toFixed(0)} MiB (+${((value - (before.users[i] ?? 0)) / 1_048_576).toFixed(0)})`).join(', ')}`);
    console.log(`  memory per connection       User Service ${KiB(userDelta / Math.max(1, connected))}, gateway ${KiB(gatewayDelta / Math.max(1, connected))}`);
    console.log(`  deliveries                  ${fromSent.length} of ${connected * ROUNDS} (${ROUNDS} broadcasts), missing ${missing}`);
    console.log(`  latency from the order sent p50 ${percentile(fromSent, 50).toFixed(0)} ms, p99 ${percentile(fromSent, 99).toFixed(0)} ms, max ${(fromSent.at(-1) ?? Number.NaN).toFixed(0)} ms`);
    console.log(`  latency from its 201        p50 ${percentile(from201, 50).toFixed(0)} ms, p99 ${percentile(from201, 99).toFixed(0)} ms`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
