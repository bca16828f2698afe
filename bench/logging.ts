// Does shipping logs to Logstash slow requests down when Logstash is slow or
// gone? `npm run bench:logging` starts four gateway processes, one per case:
//   none      — no LOGSTASH_URL (stdout only);
//   reading   — a Logstash stand-in that reads and discards every line;
//   stalled   — one that accepts the connection and never reads (the TCP
//               window fills, then the shipper's bounded buffer, then lines drop);
//   refused   — a port nobody listens on (every connect is refused; lines drop);
// and loads them in turn, in short slices rotated over several rounds, so a
// busy shared machine disturbs every case alike. It prints, per case, the
// median over its slices of req/s, p50 and p99, and the lines shipped and
// dropped as that gateway's own /metrics counted them.
//
// The gateways run as real processes at LOG_LEVEL=info (one access line per
// request, so every request goes through the shipper) and proxy
// GET /event/{id} to a small in-process upstream that answers at once: no
// database, so what differs between the cases is the logging path only.
// Needs no platform. BENCH_CONNECTIONS (default 20), BENCH_SLICE_SECONDS
// (default 2) and BENCH_ROUNDS (default 6) tune it; LOGSTASH_BUFFER_BYTES is
// the default 4 MiB.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import autocannon from 'autocannon';
import { spawnService, type ServiceProcess } from '../test/support/service-process';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const SLICE = Number(process.env.BENCH_SLICE_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

type Scenario = 'none' | 'reading' | 'stalled' | 'refused';

interface Slice {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
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

async function startGateway(scenario: Scenario, upstreamPort: number, logstash: string | undefined): Promise<{ url: string; process: ServiceProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = await spawnService({
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
    timeoutMs: 60_000,
  });
  return { url, process };
}

async function slice(url: string, seconds: number): Promise<Slice> {
  const result = await autocannon({ url: `${url}/event/${randomUUID()}`, connections: CONNECTIONS, duration: seconds });
  const failed = result.non2xx + result.errors + result.timeouts;
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failed };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  const { server: upstreamServer, port: upstreamPort } = await upstream();
  const reading = await listenTcp((socket) => socket.resume());
  const stalled = await listenTcp((socket) => socket.pause());
  const endpoints: Record<Scenario, string | undefined> = {
    none: undefined,
    reading: `tcp://127.0.0.1:${reading.port}`,
    stalled: `tcp://127.0.0.1:${stalled.port}`,
    refused: `tcp://127.0.0.1:${await freePort()}`,
  };
  const scenarios = Object.keys(endpoints) as Scenario[];
  const gateways = new Map<Scenario, { url: string; process: ServiceProcess }>();
  const slices = new Map<Scenario, Slice[]>(scenarios.map((scenario) => [scenario, []]));
  const counts = new Map<Scenario, { shipped: number; dropped: number }>();
  try {
    for (const scenario of scenarios) gateways.set(scenario, await startGateway(scenario, upstreamPort, endpoints[scenario]));
    // Warm-up, discarded: the JIT and the connection pools of every gateway.
    for (const scenario of scenarios) await slice(gateways.get(scenario)!.url, 1);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < scenarios.length; i += 1) {
        const scenario = scenarios[(i + round) % scenarios.length]!;
        slices.get(scenario)!.push(await slice(gateways.get(scenario)!.url, SLICE));
      }
    }
    for (const scenario of scenarios) {
      const metrics = await (await fetch(`${gateways.get(scenario)!.url}/metrics`)).text();
      counts.set(scenario, { shipped: counter(metrics, 'eticket_log_lines_shipped_total'), dropped: counter(metrics, 'eticket_log_lines_dropped_total') });
    }
  } finally {
    for (const gateway of gateways.values()) await gateway.process.stop();
    for (const socket of [...reading.sockets, ...stalled.sockets]) socket.destroy();
    await Promise.all([reading.server, stalled.server, upstreamServer].map((server) => new Promise((resolve) => server.close(resolve))));
  }
  const header = 'logstash   req/s  p50 ms  p99 ms  (p99 per slice)                   failed    shipped    dropped';
  const rows = scenarios.map((scenario) => {
    const own = slices.get(scenario)!;
    const { shipped, dropped } = counts.get(scenario)!;
    return [
      scenario.padEnd(8),
      median(own.map((s) => s.requestsPerSecond)).toFixed(0).padStart(7),
      median(own.map((s) => s.p50)).toFixed(0).padStart(7),
      median(own.map((s) => s.p99)).toFixed(0).padStart(7),
      `(${own.map((s) => s.p99.toFixed(0)).join(' ')})`.padEnd(33),
      String(own.reduce((sum, s) => sum + s.failed, 0)).padStart(6),
      String(shipped).padStart(10),
      String(dropped).padStart(10),
    ].join(' ');
  });
  process.stdout.write(`\nGET /event/{id} through a gateway at LOG_LEVEL=info, ${CONNECTIONS} connections, ${ROUNDS} slices of ${SLICE} s per case (medians)\n${header}\n${rows.join('\n')}\n`);
  const base = median(slices.get('none')!.map((s) => s.p99));
  for (const scenario of scenarios.slice(1)) {
    const p99 = median(slices.get(scenario)!.map((s) => s.p99));
    process.stdout.write(`${scenario}: median p99 ${p99.toFixed(0)} ms vs ${base.toFixed(0)} ms with no shipper (×${(p99 / Math.max(base, 1)).toFixed(2)}), ${counts.get(scenario)!.dropped} log lines dropped\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
