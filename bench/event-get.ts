// GET /event/{id} through the gateway and directly against the User Service,
// in one run with the same settings: `npm run bench:event`.
//
// Needs a database: USER_DB_WRITE_URL (+ USER_DB_READ_URL) from the
// environment, or a running platform (`npx tsx platform/src/cli.ts up
// --infra-only`), whose env file is read from ETICKET_PLATFORM_DATA_DIR
// (default .data/platform). Starts its own User Service and gateway as real
// processes on free ports (log level warn on both paths, so access lines, on
// at the default level info, are not what is measured), creates one
// event, warms both paths up, then measures direct first and gateway second.
// BENCH_CONNECTIONS (default 50) and BENCH_DURATION_SECONDS (default 10) tune it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoRoot } from '../platform/src/index';
import { freePort } from '../test/support/free-port';
import { spawnService, type ServiceProcess } from '../test/support/service-process';
import { runningPlatformEnv } from './support/platform-env';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const WARMUP = 3;

function databaseEnv(): { write: string; read: string } {
  const env = runningPlatformEnv(['USER_DB_WRITE_URL', 'USER_DB_READ_URL']);
  return { write: env.USER_DB_WRITE_URL, read: env.USER_DB_READ_URL };
}

async function json(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${response.status} ${JSON.stringify(body)}`);
  return body;
}

interface Measurement {
  readonly target: string;
  readonly url: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function measure(target: string, url: string, seconds: number): Promise<Measurement> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  const { requests, latency, non2xx, errors } = result;
  return { target, url, requestsPerSecond: requests.average, p50: latency.p50, p99: latency.p99, non2xx, errors };
}

async function main(): Promise<void> {
  const db = databaseEnv();
  const [userPort, grpcPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  const admin = { email: `bench-admin-${randomBytes(4).toString('hex')}@example.test`, password: 'bench-admin-password' };
  const userUrl = `http://127.0.0.1:${userPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    started.push(await spawnService({
      name: 'bench-user',
      entry: 'services/user/src/main.ts',
      env: {
        ...secrets,
        USER_DB_WRITE_URL: db.write,
        USER_DB_READ_URL: db.read,
        PORT: String(userPort),
        GRPC_PORT: String(grpcPort),
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
      },
      healthUrl: `${userUrl}/status`,
      timeoutMs: 60_000,
    }));
    started.push(await spawnService({
      name: 'bench-gateway',
      entry: 'services/gateway/src/main.ts',
      env: { ...secrets, GATEWAY_PORT: String(gatewayPort), USER_SERVICE_HTTP_URL: userUrl, ORDER_SERVICE_HTTP_URL: 'http://127.0.0.1:9' },
      healthUrl: `${gatewayUrl}/status`,
    }));

    const login = await json(`${gatewayUrl}/user/login`, { method: 'POST', body: JSON.stringify(admin) });
    const event = await json(`${gatewayUrl}/event`, {
      method: 'POST',
      headers: { authorization: `Bearer ${String(login.access_token)}` },
      body: JSON.stringify({
        name: 'Benchmark night',
        description: 'GET /event/{id} under load',
        date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        venue: { name: 'Bench Arena', location: 'Localhost', capacity: 50_000 },
        total_seats: 50_000,
        price: 9_900,
        currency: 'EUR',
      }),
    });
    const path = `/event/${String(event.id)}`;
    const targets = [['direct', `${userUrl}${path}`], ['gateway', `${gatewayUrl}${path}`]] as const;

    process.stdout.write(`GET ${path} — ${CONNECTIONS} connections, ${DURATION} s each, after a ${WARMUP} s warm-up of both\n`);
    for (const [target, url] of targets) await measure(target, url, WARMUP);
    const results: Measurement[] = [];
    for (const [target, url] of targets) results.push(await measure(target, url, DURATION));

    const [direct, gateway] = results as [Measurement, Measurement];
    const rows = results.map((r) => `${r.target.padEnd(8)} ${r.requestsPerSecond.toFixed(0).padStart(9)} ${r.p50.toFixed(0).padStart(8)} ${r.p99.toFixed(0).padStart(8)} ${String(r.non2xx + r.errors).padStart(7)}`);
    process.stdout.write(`\ntarget       req/s  p50 ms  p99 ms  errors\n${rows.join('\n')}\n`);
    const throughputRatio = gateway.requestsPerSecond / direct.requestsPerSecond;
    const latencyRatio = gateway.p99 / Math.max(direct.p99, 1);
    process.stdout.write(`\ngateway/direct: ${(throughputRatio * 100).toFixed(0)}% of the throughput, ${latencyRatio.toFixed(2)}× the p99 latency\n`);

    const resultsDir = join(repoRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `event-get-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ connections: CONNECTIONS, durationSeconds: DURATION, results, throughputRatio, latencyRatio }, null, 2)}\n`);
    process.stdout.write(`results written to ${file}\n`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
