// The cache ring's servers: 3 independent shards (cache-0..2), each a
// redis-server primary with one replica, and 3 redis-sentinel processes
// (quorum 2) watching every shard. The client (packages/cache RingBackend)
// spreads keys over the shards with a ketama ring and asks the Sentinels
// where each shard's primary is, so a promoted replica takes over its shard.
//
// Tuning for fast local failover (Sentinel's defaults are 30 s / 3 min):
// down-after-milliseconds 2000, the same as the Redis Cluster's
// cluster-node-timeout, so the two topologies compare fairly;
// failover-timeout 10000, which also spaces retries of a failed failover
// (2 × 10 s) so a slow election is retried soon. Shorter than 2 s risks a
// false failover when two cores are busy.
//
// No persistence: a shard node starts empty. For a cache that is the safe
// choice: a node restarted from an old dump could serve entries that were
// invalidated while it was away. Configs are written anew on every start;
// Sentinel rewrites them (CONFIG REWRITE) as it reconfigures nodes, so a
// restart of one process (Supervisor.restart) keeps the current topology.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess } from '../process-supervisor';
import { waitFor } from '../wait';
import { LOOPBACK, type ComponentContext } from './context';
import { primariesInSync, probeRing, ringProblem, sentinelPrimary } from './sentinel-probe';

export const SENTINEL_DOWN_AFTER_MS = 2000;
export const SENTINEL_FAILOVER_TIMEOUT_MS = 10_000;
export const SENTINEL_QUORUM = 2;
export const RING_SHARDS = ['cache-0', 'cache-1', 'cache-2'] as const;

export interface SentinelRingHandle {
  /** The six redis-server processes, then the three sentinels. */
  nodes: ManagedProcess[];
  sentinels: ManagedProcess[];
  /** host:port of each Sentinel (REDIS_SENTINELS). */
  sentinelAddresses: string[];
  /** Sentinel master names (REDIS_RING_SHARDS). */
  shards: string[];
}

function nodeConfig(dir: string, port: number, primaryPort: number | undefined): string {
  return [
    `port ${port}`,
    `bind ${LOOPBACK}`,
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
    'logfile ""',
    'save ""',
    'appendonly no',
    // A cache evicts instead of refusing writes when full.
    'maxmemory 128mb',
    'maxmemory-policy allkeys-lru',
    // Diskless full sync without the default 5 s wait for more replicas: a
    // restarted node is a synced replica again in about a second.
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    ...(primaryPort !== undefined ? [`replicaof ${LOOPBACK} ${primaryPort}`] : []),
    '',
  ].join('\n');
}

function sentinelConfig(dir: string, port: number, shards: Array<{ name: string; primaryPort: number }>): string {
  return [
    `port ${port}`,
    `bind ${LOOPBACK}`,
    'protected-mode no',
    'daemonize no',
    `dir ${dir}`,
    'logfile ""',
    ...shards.flatMap(({ name, primaryPort }) => [
      `sentinel monitor ${name} ${LOOPBACK} ${primaryPort} ${SENTINEL_QUORUM}`,
      `sentinel down-after-milliseconds ${name} ${SENTINEL_DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${name} ${SENTINEL_FAILOVER_TIMEOUT_MS}`,
      `sentinel parallel-syncs ${name} 1`,
    ]),
    '',
  ].join('\n');
}

/**
 * Before a node starts again: if the Sentinels name another node as its
 * shard's primary, come back as that node's replica at once. Without this a
 * restarted ex-primary would run as an empty primary until Sentinel converts
 * it (about 8 s later). When no Sentinel answers, the file as Sentinel last
 * rewrote it decides.
 */
async function rejoinAsReplica(configFile: string, self: string, shard: string, sentinels: readonly string[]): Promise<void> {
  const primary = await sentinelPrimary(sentinels, shard);
  if (primary === undefined) return;
  const kept = readFileSync(configFile, 'utf8').split('\n').filter((line) => !/^\s*(replicaof|slaveof)\s/i.test(line));
  const [host, port] = primary.split(':');
  if (primary !== self) kept.push(`replicaof ${host} ${port}`);
  writeFileSync(configFile, `${kept.join('\n').trimEnd()}\n`);
}

export async function startSentinelRing(ctx: ComponentContext): Promise<SentinelRingHandle> {
  const ports = ctx.ports.ringNodes;
  const shards = RING_SHARDS.map((name, i) => ({ name, primaryPort: ports[2 * i]!, replicaPort: ports[2 * i + 1]! }));
  const sentinelAddresses = ctx.ports.sentinels.map((port) => `${LOOPBACK}:${port}`);

  const nodes = shards.flatMap((shard) => [
    { port: shard.primaryPort, primaryPort: undefined, shard: shard.name },
    { port: shard.replicaPort, primaryPort: shard.primaryPort, shard: shard.name },
  ]).map(({ port, primaryPort, shard }) => {
    const dir = join(ctx.layout.redisRing, String(port));
    mkdirSync(dir, { recursive: true });
    const configFile = join(dir, 'redis.conf');
    writeFileSync(configFile, nodeConfig(dir, port, primaryPort));
    return ctx.supervisor.spawn({
      name: `ring-redis-${port}`, command: 'redis-server', args: [configFile], cwd: dir,
      beforeRestart: () => rejoinAsReplica(configFile, `${LOOPBACK}:${port}`, shard, sentinelAddresses),
    });
  });
  const nodesFailed = () => nodes.map((p) => p.deathNote()).find((note) => note !== undefined);

  // Sentinels learn a shard's replicas from the primary's INFO, which they
  // ask for every 10 s; starting them once the replicas are attached means
  // their first INFO already lists them.
  await waitFor(() => primariesInSync(shards.map((s) => `${LOOPBACK}:${s.primaryPort}`)), {
    what: 'ring shard replicas in sync', timeoutMs: 15_000, intervalMs: 200, signal: ctx.signal, failFast: nodesFailed,
  });

  const sentinels = ctx.ports.sentinels.map((port) => {
    const dir = join(ctx.layout.sentinel, String(port));
    mkdirSync(dir, { recursive: true });
    const configFile = join(dir, 'sentinel.conf');
    writeFileSync(configFile, sentinelConfig(dir, port, shards));
    return ctx.supervisor.spawn({ name: `sentinel-${port}`, command: 'redis-sentinel', args: [configFile], cwd: dir });
  });
  const failFast = () => [...nodes, ...sentinels].map((p) => p.deathNote()).find((note) => note !== undefined);
  await waitFor(async () => {
    const problem = ringProblem(await probeRing(sentinelAddresses, RING_SHARDS));
    if (problem !== undefined) throw new Error(problem);
    return true;
  }, { what: 'Sentinel ring ready (every sentinel sees every shard, its replica and the other sentinels)', timeoutMs: 30_000, intervalMs: 300, signal: ctx.signal, failFast });
  return { nodes, sentinels, sentinelAddresses, shards: [...RING_SHARDS] };
}
