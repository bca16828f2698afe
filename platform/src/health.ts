// Health of a running platform, computed from its env contract alone, so the
// same code serves a handle's status() and `cli status` in another shell.
import { etcdHealth } from './components/etcd';
import { mongoPing } from './components/ferretdb';
import { clusterProblem, fetchCluster, type PatroniMember } from './components/patroni-cluster-info';
import { pgPing, type PgPing } from './components/pg-admin';
import { probeRedisNode, redisClusterProblem, type RedisNodeInfo } from './components/redis-probe';
import { redact, splitList, type PlatformEnv } from './env-contract';

export type { PatroniMember, PgPing, RedisNodeInfo };

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

async function redisStatus(env: PlatformEnv): Promise<PlatformStatus['redis']> {
  const addresses = splitList(env.REDIS_CLUSTER_NODES);
  const nodes = await Promise.all(addresses.map(async (address) => {
    try {
      return await probeRedisNode(address);
    } catch (error) {
      return { address, clusterState: `unreachable (${message(error)})`, slotsAssigned: 0, knownNodes: 0, role: 'unknown', masterLinkUp: null, masterAddress: null } satisfies RedisNodeInfo;
    }
  }));
  // An external cluster may list only some nodes, so only insist on masters when we know all six.
  const problem = redisClusterProblem(nodes, nodes.length === 6 ? 3 : nodes.filter((n) => n.role === 'master').length);
  const clusterState = nodes.find((n) => n.clusterState !== 'ok')?.clusterState ?? (nodes.length > 0 ? 'ok' : 'no nodes');
  return { healthy: problem === undefined && nodes.length > 0, clusterState, detail: problem ?? 'ok', nodes };
}

export async function platformStatus(env: PlatformEnv): Promise<PlatformStatus> {
  const etcdEndpoints = splitList(env.ETCD_ENDPOINTS);
  const [etcd, userDb, warehouse, redis, ferretdb] = await Promise.all([
    Promise.all(etcdEndpoints.map((e) => etcdHealth(e))).then((results) => ({
      healthy: results.length > 0 && results.every((r) => r.healthy),
      endpoints: etcdEndpoints,
      detail: results.map((r) => r.detail).join('; '),
    })),
    userDbStatus(env),
    pgPing(env.WAREHOUSE_DB_URL).then((p) => ({ healthy: p.ok, detail: p.detail })),
    redisStatus(env),
    mongoPing(env.ORDER_MONGO_URL).then((p) => ({ healthy: p.ok, detail: p.detail })),
  ]);
  const rows: ComponentRow[] = [
    { component: 'etcd', address: env.ETCD_ENDPOINTS, healthy: etcd.healthy, status: etcd.detail },
    ...userDb.nodes.map((n) => ({
      component: `user-db ${n.name}`,
      address: `${n.host}:${n.port}`,
      healthy: n.state === 'running' || n.state === 'streaming',
      status: `${n.role} (${n.patroniRole}), ${n.state}, timeline ${n.timeline ?? '?'}${n.role === 'standby' ? `, lag ${n.lagBytes ?? '?'} B` : ''}`,
    })),
    { component: 'user-db write (haproxy)', address: redact(env.USER_DB_WRITE_URL), healthy: userDb.write.ok && userDb.write.inRecovery === false, status: userDb.write.detail },
    { component: 'user-db read (haproxy)', address: redact(env.USER_DB_READ_URL), healthy: userDb.read.ok, status: userDb.read.detail },
    { component: 'warehouse-db', address: redact(env.WAREHOUSE_DB_URL), healthy: warehouse.healthy, status: warehouse.detail },
    ...redis.nodes.map((n) => ({
      component: `redis ${n.role}`,
      address: n.address,
      healthy: n.clusterState === 'ok' && n.masterLinkUp !== false,
      status: `cluster_state ${n.clusterState}${n.masterAddress ? `, replica of ${n.masterAddress}${n.masterLinkUp ? '' : ' (link down)'}` : ''}`,
    })),
    { component: 'ferretdb (mongodb)', address: env.ORDER_MONGO_URL, healthy: ferretdb.healthy, status: ferretdb.detail },
  ];
  return {
    healthy: etcd.healthy && userDb.healthy && warehouse.healthy && redis.healthy && ferretdb.healthy,
    checkedAt: new Date().toISOString(),
    etcd, userDb, warehouse, redis, ferretdb, rows,
  };
}
