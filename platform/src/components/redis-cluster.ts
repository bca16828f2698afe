// Redis Cluster: 3 masters with 1 replica each, six redis-server processes.
// The cluster is formed once (redis-cli --cluster create) on a fresh data
// folder; nodes.conf persists membership so a restart rejoins by itself.
//
// cluster-node-timeout is 2000 ms (Redis' default is 15 s) so a killed master
// fails over in a few seconds in local tests; on a loaded two-core machine a
// shorter value risks false failovers.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ManagedProcess } from '../process-supervisor';
import { waitFor } from '../wait';
import { LOOPBACK, type ComponentContext } from './context';
import { probeRedisNode, redisClusterProblem, type RedisNodeInfo } from './redis-probe';

export const CLUSTER_NODE_TIMEOUT_MS = 2000;
const MASTERS = 3;

export interface RedisClusterHandle {
  processes: ManagedProcess[];
  nodes: string[];
}

function redisConfig(dir: string, port: number): string {
  return [
    `port ${port}`,
    `bind ${LOOPBACK}`,
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
    'logfile ""',
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    `cluster-node-timeout ${CLUSTER_NODE_TIMEOUT_MS}`,
    // A cache: while one master is down (until its replica is promoted) the
    // other masters keep serving their slots instead of the whole cluster
    // answering CLUSTERDOWN.
    'cluster-require-full-coverage no',
    // Evict instead of refusing writes when full.
    'maxmemory 128mb',
    'maxmemory-policy allkeys-lru',
    // A restarted node resyncs at once instead of after the default 5 s wait for more replicas.
    'repl-diskless-sync-delay 0',
    // Durable enough for a local platform: append-only file, fsync every second.
    'appendonly yes',
    'appendfsync everysec',
    'save ""',
    '',
  ].join('\n');
}

async function createCluster(nodes: string[], ctx: ComponentContext): Promise<void> {
  ctx.log('redis: forming the cluster (3 masters, 1 replica each)');
  const { stdout } = await promisify(execFile)('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '1', '--cluster-yes'], {
    timeout: 60_000, encoding: 'utf8',
  });
  if (!stdout.includes('All 16384 slots covered')) throw new Error(`redis-cli --cluster create did not cover all slots:\n${stdout}`);
}

export async function startRedisCluster(ctx: ComponentContext): Promise<RedisClusterHandle> {
  const nodes = ctx.ports.redis.map((port) => `${LOOPBACK}:${port}`);
  const processes = ctx.ports.redis.map((port) => {
    const dir = join(ctx.layout.redis, String(port));
    mkdirSync(dir, { recursive: true });
    const configFile = join(dir, 'redis.conf');
    writeFileSync(configFile, redisConfig(dir, port));
    return ctx.supervisor.spawn({ name: `redis-${port}`, command: 'redis-server', args: [configFile], cwd: dir });
  });
  const failFast = () => processes.map((p) => p.deathNote()).find((note) => note !== undefined);
  const probeAll = () => Promise.all(nodes.map((n) => probeRedisNode(n)));
  const first = await waitFor(probeAll, { what: 'redis-server nodes', timeoutMs: 15_000, signal: ctx.signal, failFast });
  const blank = (n: RedisNodeInfo) => n.slotsAssigned === 0 && n.knownNodes === 1;
  if (first.every(blank)) {
    await createCluster(nodes, ctx);
  } else if (first.some(blank)) {
    throw new Error(`Redis Cluster is half-formed (${first.filter(blank).map((n) => n.address).join(', ')} know no cluster); restart with --fresh`);
  }
  await waitFor(async () => {
    const problem = redisClusterProblem(await probeAll(), MASTERS);
    if (problem !== undefined) throw new Error(problem);
    return true;
  }, { what: 'Redis Cluster state ok', timeoutMs: 30_000, intervalMs: 300, signal: ctx.signal, failFast });
  return { processes, nodes };
}
