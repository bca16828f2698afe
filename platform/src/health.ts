// Health of a running platform, computed from its env contract alone, so the
// same code serves a handle's status() and `cli status` in another shell.
// A component whose env value is empty was not started (the cache topology
// not chosen, or a cache-only platform): it has no rows and counts as healthy.
import { etcdHealth } from './components/etcd';
import { mongoPing } from './components/ferretdb';
import { clusterProblem, fetchCluster, type PatroniMember } from './components/patroni-cluster-info';
import { pgPing, type PgPing } from './components/pg-admin';
import { probeRedisNode, redisClusterProblem, type RedisNodeInfo } from './components/redis-probe';
import { probeRing, ringProblem, type RingShardInfo, type SentinelView } from './components/sentinel-probe';
import { redact, splitList, type PlatformEnv } from './env-contract';

export type { PatroniMember, PgPing, RedisNodeInfo, RingShardInfo, SentinelView };

export interface ComponentRow {
  component: string;
  address: string;
  healthy: boolean;
  status: string;
}

export interface PlatformStatus {
  healthy: boolean;
  checkedAt: string;
  etcd: { healthy: boolean; endpoints: string[]; detail: string };
  userDb: {
    healthy: boolean;
    detail: string;
    /** Through HAProxy's write port: must be read-write. */
    write: PgPing;
    /** Through HAProxy's read port: a standby while one is healthy. */
    read: PgPing;
    /** Per Patroni member: role (primary/standby), state, timeline, lag in bytes. Empty for an external DB. */
    nodes: PatroniMember[];
  };
  warehouse: { healthy: boolean; detail: string };
  redis: {
    healthy: boolean;
    /** "ok" when every node reports cluster_state:ok, else the first other value seen. */
    clusterState: string;
    detail: string;
    nodes: RedisNodeInfo[];
  };
  /** The Sentinel-managed cache ring (REDIS_SENTINELS, REDIS_RING_SHARDS). */
  cacheRing: {
    healthy: boolean;
    detail: string;
    /** Per shard: the primary the Sentinels name, whether it is up, its replicas. */
    shards: RingShardInfo[];
    sentinels: SentinelView[];
  };
  ferretdb: { healthy: boolean; detail: string };
  /** One line per component for printing. */
  rows: ComponentRow[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function userDbStatus(env: PlatformEnv): Promise<PlatformStatus['userDb']> {
  const restUrls = splitList(env.PATRONI_REST_URLS);
  const [write, read, nodes] = await Promise.all([
    pgPing(env.USER_DB_WRITE_URL),
    pgPing(env.USER_DB_READ_URL),
    restUrls.length === 0 ? Promise.resolve([] as PatroniMember[]) : fetchCluster(restUrls).catch((): PatroniMember[] => []),
  ]);
  const clusterIssue = restUrls.length === 0 ? undefined : clusterProblem(nodes, restUrls.length);
  const writeIssue = !write.ok ? `write port: ${write.detail}` : write.inRecovery ? 'write port reaches a standby' : undefined;
  const issue = writeIssue ?? (read.ok ? undefined : `read port: ${read.detail}`) ?? clusterIssue;
  return { healthy: issue === undefined, detail: issue ?? 'ok', write, read, nodes };
}

const NOT_STARTED = 'not started';

async function ringStatus(env: PlatformEnv): Promise<PlatformStatus['cacheRing']> {
  const sentinels = splitList(env.REDIS_SENTINELS);
  if (sentinels.length === 0) return { healthy: true, detail: NOT_STARTED, shards: [], sentinels: [] };
  const probe = await probeRing(sentinels, splitList(env.REDIS_RING_SHARDS));
  const problem = ringProblem(probe);
  return { healthy: problem === undefined, detail: problem ?? 'ok', shards: probe.shards, sentinels: probe.sentinels };
}

function ringRows(env: PlatformEnv, ring: PlatformStatus['cacheRing']): ComponentRow[] {
  return [
    ...ring.shards.map((s) => {
      const online = s.replicas.filter((r) => r.online).map((r) => r.address);
      const healthy = s.primaryUp && s.primaryRole === 'master' && online.length > 0 && s.sentinelsAgreeing === s.sentinelsAnswering;
      return {
        component: `cache ring ${s.name}`,
        address: s.primary ?? '?',
        healthy,
        status: `primary ${s.primaryUp ? s.primaryRole : 'unreachable'} (${s.sentinelsAgreeing}/${s.sentinelsAnswering} sentinels agree), `
          + `replica ${online.length > 0 ? `${online.join(', ')} online` : 'none online'}`,
      };
    }),
    ...ring.sentinels.map((s) => ({
      component: 'redis-sentinel',
      address: s.address,
      healthy: s.detail === 'ok',
      status: s.detail === 'ok' ? `ok, watches ${env.REDIS_RING_SHARDS}` : s.detail,
    })),
  ];
}

async function redisStatus(env: PlatformEnv): Promise<PlatformStatus['redis']> {
  const addresses = splitList(env.REDIS_CLUSTER_NODES);
  if (addresses.length === 0) return { healthy: true, clusterState: NOT_STARTED, detail: NOT_STARTED, nodes: [] };
  const nodes = await Promise.all(addresses.map(async (address) => {
    try {
      return await probeRedisNode(address);
    } catch (error) {
      return { address, clusterState: `unreachable (${message(error)})`, slotsAssigned: 0, knownNodes: 0, role: 'unknown', masterLinkUp: null, masterAddress: null, failedPeers: 0 } satisfies RedisNodeInfo;
    }
  }));
  // An external cluster may list only some nodes, so only insist on masters when we know all six.
  const problem = redisClusterProblem(nodes, nodes.length === 6 ? 3 : nodes.filter((n) => n.role === 'master').length);
  const clusterState = nodes.find((n) => n.clusterState !== 'ok')?.clusterState ?? (nodes.length > 0 ? 'ok' : 'no nodes');
  return { healthy: problem === undefined && nodes.length > 0, clusterState, detail: problem ?? 'ok', nodes };
}

const notStarted = { ok: false, inRecovery: null, detail: NOT_STARTED } satisfies PgPing;

export async function platformStatus(env: PlatformEnv): Promise<PlatformStatus> {
  const etcdEndpoints = splitList(env.ETCD_ENDPOINTS);
  const [etcd, userDb, warehouse, redis, cacheRing, ferretdb] = await Promise.all([
    etcdEndpoints.length === 0
      ? { healthy: true, endpoints: [], detail: NOT_STARTED }
      : Promise.all(etcdEndpoints.map((e) => etcdHealth(e))).then((results) => ({
          healthy: results.length > 0 && results.every((r) => r.healthy),
          endpoints: etcdEndpoints,
          detail: results.map((r) => r.detail).join('; '),
        })),
    env.USER_DB_WRITE_URL === '' ? { healthy: true, detail: NOT_STARTED, write: notStarted, read: notStarted, nodes: [] } : userDbStatus(env),
    env.WAREHOUSE_DB_URL === '' ? { healthy: true, detail: NOT_STARTED } : pgPing(env.WAREHOUSE_DB_URL).then((p) => ({ healthy: p.ok, detail: p.detail })),
    redisStatus(env),
    ringStatus(env),
    env.ORDER_MONGO_URL === '' ? { healthy: true, detail: NOT_STARTED } : mongoPing(env.ORDER_MONGO_URL).then((p) => ({ healthy: p.ok, detail: p.detail })),
  ]);
  const started = (value: string, rows: ComponentRow[]) => (value === '' ? [] : rows);
  const rows: ComponentRow[] = [
    ...started(env.ETCD_ENDPOINTS, [{ component: 'etcd', address: env.ETCD_ENDPOINTS, healthy: etcd.healthy, status: etcd.detail }]),
    ...userDb.nodes.map((n) => ({
      component: `user-db ${n.name}`,
      address: `${n.host}:${n.port}`,
      healthy: n.state === 'running' || n.state === 'streaming',
      status: `${n.role} (${n.patroniRole}), ${n.state}, timeline ${n.timeline ?? '?'}${n.role === 'standby' ? `, lag ${n.lagBytes ?? '?'} B` : ''}`,
    })),
    ...started(env.USER_DB_WRITE_URL, [
      { component: 'user-db write (haproxy)', address: redact(env.USER_DB_WRITE_URL), healthy: userDb.write.ok && userDb.write.inRecovery === false, status: userDb.write.detail },
      { component: 'user-db read (haproxy)', address: redact(env.USER_DB_READ_URL), healthy: userDb.read.ok, status: userDb.read.detail },
    ]),
    ...started(env.WAREHOUSE_DB_URL, [{ component: 'warehouse-db', address: redact(env.WAREHOUSE_DB_URL), healthy: warehouse.healthy, status: warehouse.detail }]),
    ...redis.nodes.map((n) => ({
      component: `redis ${n.role}`,
      address: n.address,
      healthy: n.clusterState === 'ok' && n.masterLinkUp !== false,
      status: `cluster_state ${n.clusterState}${n.masterAddress ? `, replica of ${n.masterAddress}${n.masterLinkUp ? '' : ' (link down)'}` : ''}`,
    })),
    ...ringRows(env, cacheRing),
    ...started(env.ORDER_MONGO_URL, [{ component: 'ferretdb (mongodb)', address: env.ORDER_MONGO_URL, healthy: ferretdb.healthy, status: ferretdb.detail }]),
  ];
  return {
    healthy: etcd.healthy && userDb.healthy && warehouse.healthy && redis.healthy && cacheRing.healthy && ferretdb.healthy,
    checkedAt: new Date().toISOString(),
    etcd, userDb, warehouse, redis, cacheRing, ferretdb, rows,
  };
}
