// What one buyer arriving at a sold-out-fast on-sale costs the gateway, in CPU:
// `npm run bench:arrivals`. The on-sale benchmark (`npm run bench`) measures
// goodput at 10x overload on the same two cores as everything else; this one
// isolates the price of the overload's arrivals, and sets it against the floor
// of any Node.js HTTP server on this machine.
//
// Needs a running platform (`npx tsx platform/src/cli.ts up --infra-only`; see
// bench/support/platform-env.ts): the gateway's Redis Cluster. Starts its own
// gateway (log level warn) on a free port, with a waiting room of one slot,
// takes that slot for an event (an order in flight that never ends), and sends
// BENCH_ARRIVAL_RATE (600) new buyers a second for BENCH_DURATION_SECONDS (15),
// each POST /order on a connection of its own (as distinct browsers do), in
// three ways, one after the other:
//   held      `Prefer: wait=20`: each buyer is queued and held (the on-sale
//             bench's buyers); their 202s come after the measured window
//   at once   no Prefer: each buyer is queued and answered 202 at once
//   floor     the same requests to a bare node:http server that parses the
//             JSON body and answers 202 (no framework, no auth, no Redis)
// and prints the CPU (user + system, from /proc) each took per arrival.
// The load generator runs at nice 10, as in the on-sale benchmark.
// BENCH_GATEWAY_CPU_PROF=<dir> makes the gateway write a V8 CPU profile there when it stops;
// BENCH_GATEWAY_NODE_ARGS adds Node.js options to the gateway's (space-separated; to compare V8 settings).
import { randomUUID } from 'node:crypto';
import { setPriority } from 'node:os';
import { issueAccessToken } from '@eticket/auth';
import { Cluster } from 'ioredis';
import { freePort } from '../test/support/free-port';
import { spawnService } from '../test/support/service-process';
import { Client, openModel, Recorder, sleep } from './onsale/load';
import { runningPlatformEnv } from './support/platform-env';
import { treeCpuMs } from './support/process-cpu';

const RATE = Number(process.env.BENCH_ARRIVAL_RATE ?? 600);
const SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 15);
const WARMUP_SECONDS = 3;
const HOLD_SECONDS = 20;

const log = (line: string) => process.stderr.write(`[bench:arrivals] ${line}\n`);

/** One buyer's POST /order (the i-th of a run), over the on-sale bench's client. */
type Send = (client: Client, i: number) => Promise<unknown>;

interface Run {
  /** Requests sent when the run's window ended. */
  readonly sent: number;
  /** Answers by status (kind `arrival`), filled in as they come. */
  readonly recorder: Recorder;
  /** Resolves when every request was answered. */
  readonly answered: Promise<void>;
}

/** RATE requests a second for `seconds` with the on-sale bench's open-model generator; resolves when the window ends. */
async function arrivals(origin: string, seconds: number, send: Send): Promise<Run> {
  const recorder = new Recorder();
  const client = new Client(origin, recorder);
  let sent = 0;
  const answered = openModel(RATE, seconds, async (i) => {
    sent += 1;
    await send(client, i);
  }).then(() => client.close());
  await sleep(seconds * 1000);
  return { sent, recorder, answered };
}

const statuses = (run: Run) => JSON.stringify(Object.fromEntries(run.recorder.statuses.get('arrival') ?? []));

/** CPU ms per arrival of process `pid` over a run of SECONDS (the warm-up before it is not counted). */
async function measure(name: string, pid: number, origin: string, send: Send, waitForAnswers: boolean): Promise<Run & { perArrival: number }> {
  const warm = await arrivals(origin, WARMUP_SECONDS, send);
  if (waitForAnswers) await warm.answered;
  const before = treeCpuMs([pid]);
  const run = await arrivals(origin, SECONDS, (client, i) => send(client, warm.sent + i));
  const cpuMs = treeCpuMs([pid]) - before;
  if (waitForAnswers) await run.answered;
  const perArrival = cpuMs / run.sent;
  log(`${name}: ${run.sent} arrivals, ${perArrival.toFixed(3)} CPU ms each${waitForAnswers ? `; statuses ${statuses(run)}` : ''}`);
  return { ...run, perArrival };
}

async function main(): Promise<void> {
  const platform = runningPlatformEnv(['REDIS_CLUSTER_NODES']);
  const secret = randomUUID() + randomUUID();
  const namespace = `arrivals-${randomUUID().slice(0, 8)}`;
  const eventId = randomUUID();
  const port = await freePort();
  const gateway = await spawnService({
    name: 'bench-arrivals-gateway',
    entry: 'services/gateway/src/main.ts',
    env: {
      NODE_ENV: 'production',
      GATEWAY_PORT: String(port),
      DISCOVERY_NAMESPACE: namespace,
      JWT_SECRET: secret,
      INTERNAL_AUTH_SECRET: secret,
      REDIS_CLUSTER_NODES: platform.REDIS_CLUSTER_NODES,
      CACHE_TOPOLOGY: 'cluster',
      // Nothing listens there: no order ever reaches a service (the room's one slot stays taken).
      USER_SERVICE_HTTP_URL: 'http://127.0.0.1:9',
      ORDER_SERVICE_HTTP_URL: 'http://127.0.0.1:9',
      RATE_LIMIT_CLIENT_MAX: '10000000',
      RATE_LIMIT_USER_MAX: '10000000',
      WAITING_ROOM_INITIAL_LIMIT: '1',
      WAITING_ROOM_MIN_LIMIT: '1',
      WAITING_ROOM_MAX_LIMIT: '1',
    },
    healthUrl: `http://127.0.0.1:${port}/status/live`,
    nodeArgs: [
      ...(process.env.BENCH_GATEWAY_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_CPU_PROF}`]),
      ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
    ],
  });
  const barePort = await freePort();
  const bare = await spawnService({ name: 'bench-arrivals-bare-http', entry: 'bench/support/bare-http-server.ts', env: { BARE_PORT: String(barePort) }, healthUrl: `http://127.0.0.1:${barePort}/` });
  const redis = new Cluster(platform.REDIS_CLUSTER_NODES.split(',').map((node) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) })));
  try {
    // The room's only slot, taken for an hour: every buyer queues.
    await redis.zadd(`wr:{${namespace}:${eventId}}:slots`, Date.now() + 3_600_000, 'order-in-flight');
    const buyers = Math.ceil(RATE * (WARMUP_SECONDS + SECONDS) * 1.05) * 2;
    log(`minting ${buyers} buyers' tokens`);
    const tokens = await Promise.all(Array.from({ length: buyers }, async () => (await issueAccessToken({ userId: randomUUID(), email: 'buyer@example.com', roles: ['buyer'] }, secret, 3_600)).token));
    const body = { event_id: eventId, quantity: 1 };
    const half = buyers / 2;
    // Each POST /order on a connection of its own (`held`: Node's HTTP client, `Connection: close`), as distinct browsers.
    const order = (client: Client, token: string, headers: Record<string, string> = {}) =>
      client.call('arrival', 'POST', '/order', token, body, randomUUID(), { held: true, headers });
    // Below the system's priority, as in the on-sale benchmark (bench/onsale/main.ts).
    setPriority(10);
    const gatewayUrl = `http://127.0.0.1:${port}`;
    const held = await measure('held', gateway.pid, gatewayUrl, (client, i) => order(client, tokens[i]!, { prefer: `wait=${HOLD_SECONDS}` }), false);
    // The held buyers' 202s (20 s later) would land in the next run.
    await held.answered;
    log(`held: statuses after the hold ${statuses(held)}`);
    const { perArrival: atOnce } = await measure('at once', gateway.pid, gatewayUrl, (client, i) => order(client, tokens[half + i]!), true);
    const { perArrival: floor } = await measure('floor', bare.pid, `http://127.0.0.1:${barePort}`, (client) => order(client, tokens[0]!), true);
    process.stdout.write(`\nGateway CPU per buyer arriving at a full waiting room, ${RATE}/s, ${SECONDS} s, a new connection each:\n`);
    process.stdout.write(`  held (Prefer: wait)        ${held.perArrival.toFixed(3)} ms\n`);
    process.stdout.write(`  answered 202 at once       ${atOnce.toFixed(3)} ms\n`);
    process.stdout.write(`  bare node:http server      ${floor.toFixed(3)} ms (the floor: connection, parse, answer)\n`);
    process.stdout.write(`  at ${RATE}/s the held arrivals take ${((held.perArrival * RATE) / 1000).toFixed(2)} cores of the gateway; the floor alone ${((floor * RATE) / 1000).toFixed(2)}\n`);
  } finally {
    redis.disconnect();
    await bare.stop();
    await gateway.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
