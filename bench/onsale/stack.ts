import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot, startPlatform, type PlatformEnv, type PlatformHandle } from '../../platform/src/index';
import { spawnService, type ServiceProcess } from '../../test/support/service-process';
import { freePort } from '../../test/support/free-port';

// The bench's own system, from nothing: a fresh platform on its own port block
// and data folder, then two User Services, two Ticket Order Services and one
// gateway as real processes (log level warn), finding each other through the
// platform's etcd. stop() ends every process it started, platform included.

export interface BenchStackOptions {
  readonly basePort: number;
  readonly waitingRoom: boolean;
  readonly log: (line: string) => void;
}

export class BenchStack {
  readonly secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  readonly namespace = `bench-onsale-${randomUUID().slice(0, 8)}`;
  readonly services: ServiceProcess[] = [];
  platform: PlatformHandle | undefined;
  gatewayUrl = '';
  /** The order database of this run: a fresh one, so the invariants read only this run's orders. */
  mongoUrl = '';

  constructor(private readonly options: BenchStackOptions) {}

  /** The gateway's process (the last one started). */
  get gatewayPid(): number {
    return this.services.at(-1)?.pid ?? -1;
  }

  /** The User and Ticket Order Service processes. */
  get servicePids(): number[] {
    return this.services.slice(0, -1).map((service) => service.pid);
  }

  get env(): PlatformEnv {
    if (this.platform === undefined) throw new Error('the platform is not running');
    return this.platform.env;
  }

  async start(): Promise<void> {
    const { log, basePort } = this.options;
    const dataDir = join(repoRoot, '.data', `bench-onsale-${basePort}`);
    // env: {} so that no external server named in the caller's environment replaces ours.
    this.platform = await startPlatform({ dataDir, fresh: true, basePort, log, env: {}, cacheTopology: 'cluster' });
    const env = this.platform.env;
    const mongo = new URL(env.ORDER_MONGO_URL);
    mongo.pathname = `/bench_onsale_${Date.now()}`;
    this.mongoUrl = mongo.toString();
    const discovery = { ETCD_ENDPOINTS: env.ETCD_ENDPOINTS, DISCOVERY_NAMESPACE: this.namespace };
    const common = { LOG_LEVEL: 'warn', NODE_ENV: 'production' };
    for (const id of ['user-1', 'user-2']) {
      const [http, grpc] = [await freePort(), await freePort()];
      this.services.push(await spawnService({
        name: `bench-onsale-${id}`,
        entry: 'services/user/src/main.ts',
        env: {
          ...this.secrets, ...discovery, ...common,
          USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
          USER_DB_READ_URL: env.USER_DB_READ_URL,
          PORT: String(http),
          GRPC_PORT: String(grpc),
          SERVICE_INSTANCE: id,
          CACHE_TOPOLOGY: 'cluster',
          REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
        },
        healthUrl: `http://127.0.0.1:${http}/health`,
        timeoutMs: 90_000,
      }));
    }
    for (const id of ['order-1', 'order-2']) {
      const [http, grpc] = [await freePort(), await freePort()];
      this.services.push(await spawnService({
        name: `bench-onsale-${id}`,
        entry: 'services/order/src/main.ts',
        env: {
          INTERNAL_AUTH_SECRET: this.secrets.INTERNAL_AUTH_SECRET, ...discovery, ...common,
          ORDER_MONGO_URL: this.mongoUrl,
          PORT: String(http),
          GRPC_PORT: String(grpc),
          SERVICE_INSTANCE: id,
          // The safety-net scans read whole collections on FerretDB; at start-up and then every
          // 10 min, so none lands inside one scenario and not another (as bench:orders does).
          RECOVERY_SCAN_INTERVAL_MS: '600000',
        },
        healthUrl: `http://127.0.0.1:${http}/health`,
        timeoutMs: 90_000,
      }));
    }
    const gatewayPort = await freePort();
    this.gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    this.services.push(await spawnService({
      name: 'bench-onsale-gateway',
      entry: 'services/gateway/src/main.ts',
      env: {
        ...this.secrets, ...discovery, ...common,
        GATEWAY_PORT: String(gatewayPort),
        SERVICE_INSTANCE: 'bench-gateway',
        CACHE_TOPOLOGY: 'cluster',
        REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
        // Every simulated buyer comes from this one address; the limits are not what is measured.
        RATE_LIMIT_CLIENT_MAX: '10000000',
        RATE_LIMIT_USER_MAX: '10000000',
        WAITING_ROOM_ENABLED: String(this.options.waitingRoom),
        // The room's tuning (WAITING_ROOM_MIN_LIMIT=2 ...) from the bench's own environment, to compare settings.
        ...Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('WAITING_ROOM_') && entry[0] !== 'WAITING_ROOM_ENABLED' && entry[1] !== undefined)),
      },
      healthUrl: `${this.gatewayUrl}/status/live`,
      timeoutMs: 60_000,
      // BENCH_GATEWAY_CPU_PROF=<dir>: the gateway writes a CPU profile there when it stops (where its CPU goes under the
      // rush); BENCH_GATEWAY_NODE_ARGS adds Node.js options (space-separated: --trace-gc, V8 heap settings to compare).
      nodeArgs: [
        ...(process.env.BENCH_GATEWAY_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_CPU_PROF}`]),
        ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
      ],
    }));
    await this.waitForInstances();
  }

  /** Until the gateway lists both instances of both services. */
  private async waitForInstances(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const report = (await (await fetch(`${this.gatewayUrl}/status`)).json()) as { dependencies: Record<string, { details?: { instances?: unknown[] } }> };
        const counts = ['user-service', 'order-service'].map((name) => report.dependencies[name]?.details?.instances?.length ?? 0);
        if (counts.every((count) => count >= 2)) return;
      } catch {
        // not yet
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('the gateway did not discover two instances of each service within 60 s');
  }

  async stop(): Promise<void> {
    for (const service of this.services.splice(0).reverse()) await service.stop().catch(() => undefined);
    await this.platform?.stop();
    this.platform = undefined;
  }
}
