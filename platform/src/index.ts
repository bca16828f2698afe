// startPlatform(): the local platform as real processes under one data
// folder. etcd first (Patroni needs it), then everything else concurrently:
// the three Patroni nodes (standbys start while the leader bootstraps), HAProxy,
// the Redis Cluster, FerretDB and the warehouse. Any component whose variable
// is already set in the environment is taken as external and not started.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEtcd } from './components/etcd';
import { startFerretdb } from './components/ferretdb';
import { awaitRouting, startHaproxy } from './components/haproxy';
import { awaitPatroniCluster, startPatroniNodes, USER_DB_NAME } from './components/patroni';
import { APP_PASSWORD, APP_ROLE, pgUrl, SUPERUSER, SUPERUSER_PASSWORD } from './components/pg-admin';
import { startRedisCluster } from './components/redis-cluster';
import { startWarehouse } from './components/warehouse-postgres';
import type { ComponentContext } from './components/context';
import { externalServers, writeEnvFile, type PlatformEnv } from './env-contract';
import { platformStatus, type PlatformStatus } from './health';
import { databaseUser, ensureTraversable } from './os-user';
import { dataLayout, defaultDataDir } from './paths';
import { liveSupervisor, readPidsFile, stopRecorded, writePidsFile } from './pids-file';
import { assertPortsFree, DEFAULT_BASE_PORT, portsFor, type PortMap } from './ports';
import { commandLine } from './proc';
import { reservePorts } from './reserved-ports';
import { Supervisor, type ManagedProcess, type SpawnSpec } from './process-supervisor';

export { PLATFORM_ENV_KEYS, readEnvFile, type PlatformEnv, type PlatformEnvKey } from './env-contract';
export { platformStatus, type ComponentRow, type PatroniMember, type PgPing, type PlatformStatus, type RedisNodeInfo } from './health';
export { formatTable } from './status-table';
export { DEFAULT_BASE_PORT, portsFor, type PortMap } from './ports';
export { dataLayout, defaultDataDir, repoRoot } from './paths';
export type { ManagedProcess, SpawnSpec } from './process-supervisor';

export interface StartOptions {
  /** Default `<repo>/.data/platform`. Everything the platform writes stays below it. */
  dataDir?: string;
  /** Wipe the data folder first (new clusters, new databases). */
  fresh?: boolean;
  /** First port of the block (default 47000); see ports.ts for the offsets. */
  basePort?: number;
  /** Per-port overrides on top of the base block. */
  ports?: Partial<PortMap>;
  /** Progress lines; default: stderr. */
  log?: (line: string) => void;
  /** Where to look for external servers (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Aborting stops whatever has started and rejects. */
  signal?: AbortSignal;
}

export interface PlatformHandle {
  /** THE contract for services: exactly the PLATFORM_ENV_KEYS. */
  env: PlatformEnv;
  dataDir: string;
  ports: PortMap;
  /** Live pids of every process this platform started (including Patroni's postmasters). */
  pids(): number[];
  status(): Promise<PlatformStatus>;
  /** Starts an extra process (e.g. an application service) that stop() stops first. */
  spawn(spec: SpawnSpec): ManagedProcess;
  stop(): Promise<void>;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export async function startPlatform(opts: StartOptions = {}): Promise<PlatformHandle> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[platform] ${line}\n`));
  const dataDir = resolve(opts.dataDir ?? defaultDataDir);
  const layout = dataLayout(dataDir);
  const basePort = opts.basePort ?? DEFAULT_BASE_PORT;
  const ports: PortMap = { ...portsFor(basePort), ...opts.ports };
  const external = externalServers(opts.env ?? process.env);
  const localPg = !external.userDb || !external.warehouse;
  const runAs = localPg || !external.etcd ? databaseUser() : undefined;

  const running = liveSupervisor(readPidsFile(layout.pidsFile));
  if (running !== undefined) {
    throw new Error(`a platform is already running on ${dataDir} (supervisor pid ${running}); stop it first: tsx platform/src/cli.ts down --data-dir ${dataDir}`);
  }
  await stopRecorded(layout, log);
  if (opts.fresh && existsSync(dataDir)) {
    log(`--fresh: wiping ${dataDir}`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(layout.logs, { recursive: true });
  ensureTraversable(dataDir, runAs, log);

  const wanted: Array<{ port: number; owner: string }> = [];
  if (!external.etcd) wanted.push({ port: ports.etcdClient, owner: 'etcd' }, { port: ports.etcdPeer, owner: 'etcd peer' });
  if (!external.userDb) {
    ports.pgNodes.forEach((port, i) => wanted.push({ port, owner: `postgres node${i + 1}` }));
    ports.patroniRest.forEach((port, i) => wanted.push({ port, owner: `patroni node${i + 1}` }));
    wanted.push({ port: ports.haproxyWrite, owner: 'haproxy write' }, { port: ports.haproxyRead, owner: 'haproxy read' }, { port: ports.haproxyStats, owner: 'haproxy stats' });
  }
  if (!external.warehouse) wanted.push({ port: ports.warehouse, owner: 'warehouse' });
  if (!external.redis) ports.redis.forEach((port) => wanted.push({ port, owner: 'redis' }));
  if (!external.mongo) wanted.push({ port: ports.ferretdb, owner: 'ferretdb' });
  // The application services (services.ts) use base+101, +111, +201, +211.
  reservePorts([...wanted.map((w) => w.port), basePort + 101, basePort + 111, basePort + 201, basePort + 211], log);
  await assertPortsFree(wanted);

  const supervisor: Supervisor = new Supervisor({
    logDir: layout.logs,
    onChange: () => writePidsFile(layout.pidsFile, {
      supervisorPid: process.pid,
      supervisorCommand: commandLine(process.pid),
      dataDir,
      updatedAt: new Date().toISOString(),
      processes: supervisor.list().map((p) => ({ name: p.name, pid: p.pid, command: p.command, companions: p.companionPids() })),
    }),
  });
  // One failing component aborts the others' waits at once instead of letting them time out.
  const failed = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, failed.signal]) : failed.signal;
  const ctx: ComponentContext = { layout, ports, supervisor, runAs, log, signal };
  const infra = { haproxy: [] as ManagedProcess[], middle: [] as ManagedProcess[], etcd: [] as ManagedProcess[] };

  const stopAll = async () => {
    const known = new Set([...infra.haproxy, ...infra.middle, ...infra.etcd]);
    const extras = supervisor.list().filter((p) => !known.has(p));
    await supervisor.stopInOrder([extras, infra.haproxy, infra.middle, infra.etcd]);
    rmSync(layout.pidsFile, { force: true });
  };

  const started = Date.now();
  try {
    let etcdEndpoints = external.etcd;
    if (!etcdEndpoints) {
      const t = Date.now();
      const etcd = await startEtcd(ctx);
      infra.etcd.push(etcd.process);
      etcdEndpoints = etcd.endpoint;
      log(`etcd ready on ${etcd.endpoint} (${seconds(t)})`);
    } else {
      log(`etcd: external ${etcdEndpoints}`);
    }
    const etcdList = etcdEndpoints.split(',').map((e) => e.trim()).filter(Boolean);

    const task = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t = Date.now();
      try {
        const result = await fn();
        log(`${name} ready (${seconds(t)})`);
        return result;
      } catch (error) {
        failed.abort(error);
        throw error;
      }
    };

    const startUserDb = async () => {
      const nodes = startPatroniNodes(ctx, etcdList);
      infra.middle.push(...nodes);
      const haproxy = await startHaproxy(ctx);
      infra.haproxy.push(haproxy.process);
      const cluster = await awaitPatroniCluster(ctx, nodes);
      const write = pgUrl(APP_ROLE, APP_PASSWORD, ports.haproxyWrite, USER_DB_NAME);
      const read = pgUrl(APP_ROLE, APP_PASSWORD, ports.haproxyRead, USER_DB_NAME);
      await awaitRouting(ctx, write, read, haproxy.process);
      return {
        write,
        read,
        admin: pgUrl(SUPERUSER, SUPERUSER_PASSWORD, ports.haproxyWrite, USER_DB_NAME),
        patroniRest: cluster.restUrls.join(','),
        nodes: cluster.nodeUrls.join(','),
      };
    };
    const startRedis = async () => {
      const redis = await startRedisCluster(ctx);
      infra.middle.push(...redis.processes);
      return redis.nodes.join(',');
    };
    const startMongo = async () => {
      const ferret = await startFerretdb(ctx);
      infra.middle.push(ferret.process);
      return ferret.url;
    };
    const startWarehouseDb = async () => {
      const warehouse = await startWarehouse(ctx);
      infra.middle.push(warehouse.process);
      return warehouse.url;
    };

    const results = await Promise.allSettled([
      external.userDb ? Promise.resolve(external.userDb) : task('user-db (Patroni x3 + HAProxy)', startUserDb),
      external.redis ?? task('redis cluster', startRedis),
      external.mongo ?? task('ferretdb', startMongo),
      external.warehouse ?? task('warehouse postgres', startWarehouseDb),
    ]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    // Report the root cause, not the AbortErrors it caused in the other tasks.
    const firstError = rejected.find((reason) => !(reason instanceof Error && reason.name === 'AbortError')) ?? rejected[0];
    if (rejected.length > 0) throw firstError instanceof Error ? firstError : new Error(String(firstError));
    const [userDbResult, redisResult, mongoResult, warehouseResult] = results;
    if (userDbResult?.status !== 'fulfilled' || redisResult?.status !== 'fulfilled' || mongoResult?.status !== 'fulfilled' || warehouseResult?.status !== 'fulfilled') {
      throw new Error('unreachable: a start task neither failed nor succeeded');
    }
    const userDb = userDbResult.value;
    const redisNodes = redisResult.value;
    const mongoUrl = mongoResult.value;
    const warehouseUrl = warehouseResult.value;

    const env: PlatformEnv = Object.freeze({
      ETCD_ENDPOINTS: etcdEndpoints,
      USER_DB_WRITE_URL: userDb.write,
      USER_DB_READ_URL: userDb.read,
      USER_DB_ADMIN_URL: userDb.admin,
      PATRONI_REST_URLS: userDb.patroniRest,
      USER_DB_NODE_URLS: userDb.nodes,
      WAREHOUSE_DB_URL: warehouseUrl,
      REDIS_CLUSTER_NODES: redisNodes,
      ORDER_MONGO_URL: mongoUrl,
    });
    writeEnvFile(layout.envFile, env);
    // Again now that the postmasters (companions) are known.
    supervisor.notifyChange();
    log(`platform ready in ${seconds(started)} (data in ${dataDir})`);

    let stopping: Promise<void> | undefined;
    return {
      env,
      dataDir,
      ports,
      pids: () => supervisor.pids(),
      status: () => platformStatus(env),
      spawn: (spec) => supervisor.spawn(spec),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    failed.abort(error);
    log(`start failed after ${seconds(started)}: ${error instanceof Error ? error.message : String(error)}; stopping what started`);
    await stopAll();
    throw error;
  }
}
