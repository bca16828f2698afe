// Does shipping logs to Logstash slow requests down when Logstash is slow or
// gone? `npm run bench:logging` runs the same load against a gateway process
// four times, one run each:
//   none      — no LOGSTASH_URL (stdout only);
//   reading   — a Logstash stand-in that reads and discards every line;
//   stalled   — one that accepts the connection and never reads (the TCP
//               window fills, then the shipper's bounded buffer, then lines drop);
//   refused   — a port nobody listens on (every connect is refused; lines drop).
// and prints req/s, p50 and p99 of each, with the lines shipped and dropped as
// the gateway's own /metrics counted them.
//
// The gateway runs as a real process at LOG_LEVEL=info (one access line per
// request, so every request goes through the shipper) and proxies
// GET /event/{id} to a small in-process upstream that answers at once: no
// database, so what differs between runs is the logging path only. Needs no
// platform. The machine is shared, so the four runs are repeated
// BENCH_ROUNDS times (default 2) in rotating order, after one discarded
// warm-up run, and the summary quotes each scenario's worst p99.
// BENCH_CONNECTIONS (default 20) and BENCH_DURATION_SECONDS (default 8) tune
// it; LOGSTASH_BUFFER_BYTES is the default 4 MiB.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import autocannon from 'autocannon';
import { spawnService, type ServiceProcess } from '../test/support/service-process';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 8);
const WARMUP = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

type Scenario = 'none' | 'reading' | 'stalled' | 'refused';

interface Row {
  readonly scenario: Scenario;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failed: number;
  readonly shipped: number;
  readonly dropped: number;
}

function listenTcp(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, sockets })));
}

async function freePort(): Promise<number> {
  const { server, port } = await listenTcp(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The User Service stand-in: any GET /event/{id} is a small event document. */
function upstream(): Promise<{ server: HttpServer; port: number }> {
  const server = createHttpServer((request, response) => {
    const id = request.url?.split('/')[2] ?? randomUUID();
    const body = JSON.stringify({ id, name: 'Bench night', available_seats: 100, total_seats: 100, price: 2500, currency: 'EUR' });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

function counter(metrics: string, name: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function run(scenario: Scenario, upstreamPort: number, logstash: string | undefined): Promise<Row> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway: ServiceProcess = await spawnService({
    name: `bench-logging-${scenario}`,
    entry: 'services/gateway/src/main.ts',
    env: {
      LOG_LEVEL: 'info',
      JWT_SECRET: randomBytes(32).toString('hex'),
      INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex'),
      GATEWAY_PORT: String(port),
      SERVICE_INSTANCE: `bench-${scenario}`,
      USER_SERVICE_HTTP_URL: `http://127.0.0.1:${upstreamPort}`,
      ORDER_SERVICE_HTTP_URL: `http://127.0.0.1:${upstreamPort}`,
      RATE_LIMIT_CLIENT_MAX: '10000000',
      ...(logstash === undefined ? {} : { LOGSTASH_URL: logstash }),
    },
    healthUrl: `${url}/status/live`,
  });
  try {
    const target = `${url}/event/${randomUUID()}`;
    await autocannon({ url: target, connections: CONNECTIONS, duration: WARMUP });
    const result = await autocannon({ url: target, connections: CONNECTIONS, duration: DURATION });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    return {
      scenario,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      failed: result.non2xx + result.errors + result.timeouts,
      shipped: counter(metrics, 'eticket_log_lines_shipped_total'),
      dropped: counter(metrics, 'eticket_log_lines_dropped_total'),
    };
  } finally {
    await gateway.stop();
  }
}

async function main(): Promise<void> {
  const { server: upstreamServer, port: upstreamPort } = await upstream();
  const reading = await listenTcp((socket) => socket.resume());
  const stalled = await listenTcp((socket) => socket.pause());
  const refusedPort = await freePort();
  const endpoints: Record<Scenario, string | undefined> = {
    none: undefined,
    reading: `tcp://127.0.0.1:${reading.port}`,
    stalled: `tcp://127.0.0.1:${stalled.port}`,
    refused: `tcp://127.0.0.1:${refusedPort}`,
  };
  const scenarios = Object.keys(endpoints) as Scenario[];
  const rows: Row[] = [];
  try {
    // Discarded: the first process start compiles the TypeScript and warms the machine's caches.
    await run('none', upstreamPort, undefined);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < scenarios.length; i += 1) {
        const scenario = scenarios[(i + round) % scenarios.length]!;
        rows.push(await run(scenario, upstreamPort, endpoints[scenario]));
      }
    }
  } finally {
    for (const socket of [...reading.sockets, ...stalled.sockets]) socket.destroy();
    await Promise.all([reading.server, stalled.server, upstreamServer].map((server) => new Promise((resolve) => server.close(resolve))));
  }
  const header = 'logstash     req/s  p50 ms  p99 ms  max ms  failed    shipped    dropped';
  const lines = rows.map((r) => [
    r.scenario.padEnd(8),
    r.requestsPerSecond.toFixed(0).padStart(9),
    r.p50.toFixed(0).padStart(7),
    r.p99.toFixed(0).padStart(7),
    r.max.toFixed(0).padStart(7),
    String(r.failed).padStart(7),
    String(r.shipped).padStart(10),
    String(r.dropped).padStart(10),
  ].join(' '));
  process.stdout.write(`\nGET /event/{id} through the gateway at LOG_LEVEL=info, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds\n${header}\n${lines.join('\n')}\n\n`);
  const worst = (scenario: Scenario) => rows.filter((row) => row.scenario === scenario).reduce((a, b) => (b.p99 > a.p99 ? b : a));
  const base = worst('none');
  for (const scenario of scenarios) {
    const row = worst(scenario);
    const dropped = rows.filter((candidate) => candidate.scenario === scenario).map((candidate) => candidate.dropped).join(' + ');
    process.stdout.write(`${scenario.padEnd(8)} worst p99 ${row.p99.toFixed(0).padStart(4)} ms (×${(row.p99 / Math.max(base.p99, 1)).toFixed(2)} of none's worst), lines dropped per run: ${dropped}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
