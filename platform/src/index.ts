// startPlatform(): the local platform as real processes under one data
// folder. etcd first (Patroni needs it), then everything else concurrently:
// the three Patroni nodes (standbys start while the leader bootstraps), HAProxy,
// the cache (Redis Cluster and/or the Sentinel ring, per CACHE_TOPOLOGY),
// FerretDB and the warehouse. Any component whose variable is already set in
// the environment is taken as external and not started.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEtcd } from './components/etcd';
import { startFerretdb } from './components/ferretdb';
import { awaitRouting, startHaproxy } from './components/haproxy';
import { awaitPatroniCluster, startPatroniNodes, USER_DB_NAME } from './components/patroni';
import { APP_PASSWORD, APP_ROLE, pgUrl, SUPERUSER, SUPERUSER_PASSWORD } from './components/pg-admin';
import { startRedisCluster } from './components/redis-cluster';
import { startSentinelRing } from './components/redis-sentinel-ring';
import { startWarehouse } from './components/warehouse-postgres';
import type { ComponentContext } from './components/context';
import { startControlServer, stopControlServer } from './control';
import { cacheTopologyFrom, externalServers, writeEnvFile, type CacheTopologyChoice, type PlatformEnv } from './env-contract';
import { platformStatus, type PlatformStatus } from './health';
import { databaseUser, ensureTraversable } from './os-user';
import { dataLayout, defaultDataDir } from './paths';
import { liveSupervisor, readPidsFile, stopRecorded, writePidsFile } from './pids-file';
import { assertPortsFree, DEFAULT_BASE_PORT, portsFor, type PortMap } from './ports';
import { commandLine } from './proc';
import { reservePorts } from './reserved-ports';
import { Supervisor, type ManagedProcess, type ProcessInfo, type SpawnSpec } from './process-supervisor';

export { PlatformControl } from './control';
export { cacheTopologyFrom, PLATFORM_ENV_KEYS, readEnvFile, type CacheTopology, type CacheTopologyChoice, type PlatformEnv, type PlatformEnvKey } from './env-contract';
export { platformStatus, type ComponentRow, type PatroniMember, type PgPing, type PlatformStatus, type RedisNodeInfo } from './health';
export { formatTable } from './status-table';
export { DEFAULT_BASE_PORT, portsFor, type PortMap } from './ports';
export { dataLayout, defaultDataDir, repoRoot } from './paths';
export type { ManagedProcess, ProcessInfo, SpawnSpec } from './process-supervisor';

export interface StartOptions {
  /** Default `<repo>/.data/platform`. Everything the platform writes stays below it. */
  dataDir?: string;
  /** Wipe the data folder first (new clusters, new databases). */
  fresh?: boolean;
  /** First port of the block (default 21000); see ports.ts for the offsets. */
  basePort?: number;
  /** Per-port overrides on top of the base block. */
  ports?: Partial<PortMap>;
  /** Progress lines; default: stderr. */
  log?: (line: string) => void;
  /** Where to look for external servers (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Aborting stops whatever has started and rejects. */
  signal?: AbortSignal;
  /**
   * Which cache servers to start: `cluster` (Redis Cluster), `ring` (Sentinel
   * ring) or `both` (the integration tests). Default: CACHE_TOPOLOGY of `env`,
   * else `cluster`. The env contract's CACHE_TOPOLOGY tells the services which
   * one to use (`cluster` when both run).
   */
  cacheTopology?: CacheTopologyChoice;
  /** Start only the cache servers (the cache benchmark); the other env keys are empty. */
  cacheOnly?: boolean;
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
  /** Every process by name (`redis-<port>`, `ring-redis-<port>`, `sentinel-<port>`, ...), pid, running. */
  processes(): ProcessInfo[];
  /** A crash on purpose (failover drills): the signal (default SIGKILL) to one process; resolves once it exited. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts one process again with its spec (stopping it first if it runs). */
  restart(name: string): Promise<void>;
  /** The Unix socket offering processes/kill/restart to other processes (test workers, `cli restart`). */
  controlSocket: string;
  stop(): Promise<void>;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export async function startPlatform(opts: StartOptions = {}): Promise<PlatformHandle> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[platform] ${line}\n`));
  const dataDir = resolve(opts.dataDir ?? defaultDataDir);
  const layout = dataLayout(dataDir);
  const basePort = opts.basePort ?? DEFAULT_BASE_PORT;
  const ports: PortMap = { ...portsFor(basePort), ...opts.ports };
  const env0 = opts.env ?? process.env;
  const topology = opts.cacheTopology ?? cacheTopologyFrom(env0) ?? 'cluster';
  const wantCluster = topology !== 'ring';
  const wantRing = topology !== 'cluster';
  const cacheOnly = opts.cacheOnly ?? false;
  const external = externalServers(env0);
  if (cacheOnly) {
    // Nothing but the cache: pretend everything else is given (as empty) so it is not started.
    external.etcd ??= '';
    external.userDb ??= { write: '', read: '', admin: '', patroniRest: '', nodes: '' };
    external.warehouse ??= '';
    external.mongo ??= '';
  }
  const localPg = external.userDb === undefined || external.warehouse === undefined;
  const runAs = localPg || external.etcd === undefined ? databaseUser() : undefined;

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
  if (external.etcd === undefined) wanted.push({ port: ports.etcdClient, owner: 'etcd' }, { port: ports.etcdPeer, owner: 'etcd peer' });
  if (external.userDb === undefined) {
    ports.pgNodes.forEach((port, i) => wanted.push({ port, owner: `postgres node${i + 1}` }));
    ports.patroniRest.forEach((port, i) => wanted.push({ port, owner: `patroni node${i + 1}` }));
    wanted.push({ port: ports.haproxyWrite, owner: 'haproxy write' }, { port: ports.haproxyRead, owner: 'haproxy read' }, { port: ports.haproxyStats, owner: 'haproxy stats' });
  }
  if (external.warehouse === undefined) wanted.push({ port: ports.warehouse, owner: 'warehouse' });
  // Each cluster node also listens on its bus port, 10000 above its own.
  if (wantCluster && !external.redis) ports.redis.forEach((port) => wanted.push({ port, owner: 'redis' }, { port: port + 10_000, owner: 'redis cluster bus' }));
  if (wantRing && !external.ring) {
    ports.ringNodes.forEach((port) => wanted.push({ port, owner: 'ring redis' }));
    ports.sentinels.forEach((port) => wanted.push({ port, owner: 'redis-sentinel' }));
  }
  if (external.mongo === undefined) wanted.push({ port: ports.ferretdb, owner: 'ferretdb' });
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
  // Stop order by process name (a restarted process is a new object with the
  // old name): extras (services) first, then what sits in front of the data
  // servers (HAProxy, the Sentinels, so no failover starts while shards stop),
  // then the data servers, etcd last.
  const infra = { front: new Set<string>(), middle: new Set<string>(), etcd: new Set<string>() };
  const named = (set: Set<string>) => supervisor.list().filter((p) => set.has(p.name));
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined;

  const stopAll = async () => {
    if (control) await stopControlServer(control, layout.controlSocket);
    const extras = supervisor.list().filter((p) => !infra.front.has(p.name) && !infra.middle.has(p.name) && !infra.etcd.has(p.name));
    await supervisor.stopInOrder([extras, named(infra.front), named(infra.middle), named(infra.etcd)]);
    rmSync(layout.pidsFile, { force: true });
  };
  const add = (set: Set<string>, ...processes: ManagedProcess[]) => processes.forEach((p) => set.add(p.name));

  const started = Date.now();
  try {
    let etcdEndpoints = external.etcd;
    if (etcdEndpoints === undefined) {
      const t = Date.now();
      const etcd = await startEtcd(ctx);
      add(infra.etcd, etcd.process);
      etcdEndpoints = etcd.endpoint;
      log(`etcd ready on ${etcd.endpoint} (${seconds(t)})`);
    } else if (!cacheOnly) {
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
      add(infra.middle, ...nodes);
      const haproxy = await startHaproxy(ctx);
      add(infra.front, haproxy.process);
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
      add(infra.middle, ...redis.processes);
      return redis.nodes.join(',');
    };
    const startRing = async () => {
      const ring = await startSentinelRing(ctx);
      add(infra.middle, ...ring.nodes);
      add(infra.front, ...ring.sentinels);
      return { sentinels: ring.sentinelAddresses.join(','), shards: ring.shards.join(',') };
    };
    const startMongo = async () => {
      const ferret = await startFerretdb(ctx);
      add(infra.middle, ferret.process);
      return ferret.url;
    };
    const startWarehouseDb = async () => {
      const warehouse = await startWarehouse(ctx);
      add(infra.middle, warehouse.process);
      return warehouse.url;
    };

    const noRing = { sentinels: '', shards: '' };
    const results = await Promise.allSettled([
      external.userDb ? Promise.resolve(external.userDb) : task('user-db (Patroni x3 + HAProxy)', startUserDb),
      external.redis ?? (wantCluster ? task('redis cluster', startRedis) : ''),
      external.mongo ?? task('ferretdb', startMongo),
      external.warehouse ?? task('warehouse postgres', startWarehouseDb),
      external.ring ?? (wantRing ? task('redis sentinel ring (3 shards x primary + replica, 3 sentinels)', startRing) : noRing),
    ]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    // Report the root cause, not the AbortErrors it caused in the other tasks.
    const firstError = rejected.find((reason) => !(reason instanceof Error && reason.name === 'AbortError')) ?? rejected[0];
    if (rejected.length > 0) throw firstError instanceof Error ? firstError : new Error(String(firstError));
    const [userDbResult, redisResult, mongoResult, warehouseResult, ringResult] = results;
    if (userDbResult?.status !== 'fulfilled' || redisResult?.status !== 'fulfilled' || mongoResult?.status !== 'fulfilled'
      || warehouseResult?.status !== 'fulfilled' || ringResult?.status !== 'fulfilled') {
      throw new Error('unreachable: a start task neither failed nor succeeded');
    }
    const userDb = userDbResult.value;
    const redisNodes = redisResult.value;
    const mongoUrl = mongoResult.value;
    const warehouseUrl = warehouseResult.value;
    const ring = ringResult.value;

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
      CACHE_TOPOLOGY: topology === 'ring' ? 'ring' : 'cluster',
      REDIS_SENTINELS: ring.sentinels,
      REDIS_RING_SHARDS: ring.sentinels === '' ? '' : ring.shards,
    });
    writeEnvFile(layout.envFile, env);
    // Again now that the postmasters (companions) are known.
    supervisor.notifyChange();
    log(`platform ready in ${seconds(started)} (data in ${dataDir})`);

    const kill = async (name: string, sig: NodeJS.Signals = 'SIGKILL') => {
      const target = supervisor.find(name);
      if (!target) throw new Error(`no process named ${name}`);
      await target.kill(sig);
    };
    const restart = async (name: string) => {
      const fresh = await supervisor.restart(name);
      log(`restarted ${name} (pid ${fresh.pid})`);
    };
    control = await startControlServer(layout.controlSocket, { processes: () => supervisor.describe(), kill, restart });

    let stopping: Promise<void> | undefined;
    return {
      env,
      dataDir,
      ports,
      pids: () => supervisor.pids(),
      status: () => platformStatus(env),
      spawn: (spec) => supervisor.spawn(spec),
      processes: () => supervisor.describe(),
      kill,
      restart,
      controlSocket: layout.controlSocket,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    failed.abort(error);
    log(`start failed after ${seconds(started)}: ${error instanceof Error ? error.message : String(error)}; stopping what started`);
    await stopAll();
    throw error;
  }
}
