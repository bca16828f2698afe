// GET /event/{id} through the discovery-driven gateway (two User Service
// instances behind it) and directly against one instance, in one run with the
// same settings: `npm run bench:gateway`.
//
// Needs a running platform (`npx tsx platform/src/cli.ts up --infra-only`):
// etcd for discovery, Redis Cluster for the gateway's rate limits, the user
// database. Its env file is read from ETICKET_PLATFORM_DATA_DIR (default
// .data/platform), or the variables come from the environment. Starts its own
// two User Service instances and gateway as real processes on free ports (log
// level warn on both paths: the default, info, writes an access line per
// request, which would measure log I/O rather than routing), registered under a registry namespace of
// their own; creates one event, warms both paths up, then measures direct
// first and gateway second. The gateway path includes everything a real
// request goes through: edge auth, the shared rate limit in Redis (limits set
// high enough not to refuse the benchmark), balancing, breakers.
// BENCH_CONNECTIONS (default 50) and BENCH_DURATION_SECONDS (default 10) tune it;
// BENCH_GATEWAY_CPU_PROF=<dir> writes the gateway's V8 CPU profile (.cpuprofile) there when it stops.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoRoot, type PlatformEnv } from '../platform/src/index';
import { spawnService, type ServiceProcess } from '../test/support/service-process';
import { runningPlatformEnv } from './support/platform-env';
import { freePort } from '../test/support/free-port';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const WARMUP = 3;
const CPU_PROFILE_DIR = process.env.BENCH_GATEWAY_CPU_PROF;
/** The targets of issue 5 on a two-core machine. */
const TARGET_THROUGHPUT_RATIO = 0.5;
const TARGET_P99_RATIO = 2;

function platformEnv(): Pick<PlatformEnv, 'USER_DB_WRITE_URL' | 'USER_DB_READ_URL' | 'ETCD_ENDPOINTS' | 'REDIS_CLUSTER_NODES'> {
  return runningPlatformEnv(['USER_DB_WRITE_URL', 'USER_DB_READ_URL', 'ETCD_ENDPOINTS', 'REDIS_CLUSTER_NODES']);
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

/** Polls the gateway's /status until both instances are in its pool. */
async function waitForPool(gatewayUrl: string, ids: readonly string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const report = await json(`${gatewayUrl}/status`).catch(() => ({})) as { dependencies?: Record<string, { details?: { instances?: { id: string }[] } }> };
    const listed = report.dependencies?.['user-service']?.details?.instances?.map((instance) => instance.id) ?? [];
    if (ids.every((id) => listed.includes(id))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the gateway did not discover ${ids.join(', ')} within 30 s`);
}

async function main(): Promise<void> {
  const platform = platformEnv();
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  const discovery = { ETCD_ENDPOINTS: platform.ETCD_ENDPOINTS, DISCOVERY_NAMESPACE: `bench-${randomBytes(4).toString('hex')}` };
  const admin = { email: `bench-admin-${randomBytes(4).toString('hex')}@example.test`, password: 'bench-admin-password' };
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const userUrls: string[] = [];
    // One after the other: the first creates the admin account, the second finds it.
    for (const id of ['bench-user-1', 'bench-user-2']) {
      const [port, grpcPort] = [await freePort(), await freePort()];
      userUrls.push(`http://127.0.0.1:${port}`);
      started.push(await spawnService({
        name: id,
        entry: 'services/user/src/main.ts',
        env: {
          ...secrets,
          ...discovery,
          USER_DB_WRITE_URL: platform.USER_DB_WRITE_URL,
          USER_DB_READ_URL: platform.USER_DB_READ_URL,
          PORT: String(port),
          GRPC_PORT: String(grpcPort),
          SERVICE_INSTANCE: id,
          ADMIN_EMAIL: admin.email,
          ADMIN_PASSWORD: admin.password,
        },
        healthUrl: `http://127.0.0.1:${port}/health`,
        timeoutMs: 60_000,
      }));
    }
    started.push(await spawnService({
      name: 'bench-gateway-discovery',
      entry: 'services/gateway/src/main.ts',
      env: {
        ...secrets,
        ...discovery,
        GATEWAY_PORT: String(gatewayPort),
        REDIS_CLUSTER_NODES: platform.REDIS_CLUSTER_NODES,
        CACHE_TOPOLOGY: 'cluster',
        RATE_LIMIT_CLIENT_MAX: '10000000',
        RATE_LIMIT_USER_MAX: '10000000',
      },
      healthUrl: `${gatewayUrl}/status/live`,
      ...(CPU_PROFILE_DIR === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] }),
    }));
    await waitForPool(gatewayUrl, ['bench-user-1', 'bench-user-2']);

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
    const targets = [['direct', `${userUrls[0]}${path}`], ['gateway', `${gatewayUrl}${path}`]] as const;

    process.stdout.write(`GET ${path}: direct to one User Service instance vs the gateway over two discovered instances; ${CONNECTIONS} connections, ${DURATION} s each, after a ${WARMUP} s warm-up of both\n`);
    for (const [target, url] of targets) await measure(target, url, WARMUP);
    const results: Measurement[] = [];
    for (const [target, url] of targets) results.push(await measure(target, url, DURATION));

    const [direct, gateway] = results as [Measurement, Measurement];
    const rows = results.map((r) => `${r.target.padEnd(8)} ${r.requestsPerSecond.toFixed(0).padStart(9)} ${r.p50.toFixed(0).padStart(8)} ${r.p99.toFixed(0).padStart(8)} ${String(r.non2xx + r.errors).padStart(7)}`);
    process.stdout.write(`\ntarget       req/s  p50 ms  p99 ms  errors\n${rows.join('\n')}\n`);
    const throughputRatio = gateway.requestsPerSecond / direct.requestsPerSecond;
    const latencyRatio = gateway.p99 / Math.max(direct.p99, 1);
    const met = throughputRatio >= TARGET_THROUGHPUT_RATIO && latencyRatio <= TARGET_P99_RATIO;
    process.stdout.write(`\ngateway/direct: throughput ratio ${throughputRatio.toFixed(2)} (target ≥ ${TARGET_THROUGHPUT_RATIO}), p99 ratio ${latencyRatio.toFixed(2)} (target ≤ ${TARGET_P99_RATIO}): ${met ? 'targets met' : 'targets NOT met'}\n`);

    const resultsDir = join(repoRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `gateway-vs-direct-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ connections: CONNECTIONS, durationSeconds: DURATION, results, throughputRatio, latencyRatio, targetsMet: met }, null, 2)}\n`);
    process.stdout.write(`results written to ${file}\n`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
