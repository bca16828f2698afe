import type { CacheBackend } from './backend';
import { ClusterBackend } from './cluster-backend';
import { RingBackend } from './ring-backend';

export interface CacheBackendConfig {
  /** CACHE_TOPOLOGY. */
  readonly topology: 'cluster' | 'ring';
  /** REDIS_CLUSTER_NODES, for `cluster`. */
  readonly clusterNodes: readonly string[];
  /** REDIS_SENTINELS, for `ring`. */
  readonly sentinels: readonly string[];
  /** REDIS_RING_SHARDS (Sentinel master names), for `ring`. */
  readonly ringShards: readonly string[];
  /** Longest a cache operation may take before it counts as a miss. */
  readonly commandTimeoutMs: number;
}

/** The backend of the configured topology; names what is missing instead of failing later. */
export function createCacheBackend(config: CacheBackendConfig): CacheBackend {
  if (!(config.commandTimeoutMs > 0)) throw new Error(`cache commandTimeoutMs must be positive, got ${config.commandTimeoutMs}`);
  if (config.topology === 'cluster') {
    if (config.clusterNodes.length === 0) throw new Error('cache topology cluster needs REDIS_CLUSTER_NODES');
    return new ClusterBackend({ nodes: config.clusterNodes, commandTimeoutMs: config.commandTimeoutMs });
  }
  if (config.topology === 'ring') {
    if (config.sentinels.length === 0) throw new Error('cache topology ring needs REDIS_SENTINELS');
    if (config.ringShards.length === 0) throw new Error('cache topology ring needs REDIS_RING_SHARDS');
    return new RingBackend({
      shards: config.ringShards.map((name) => ({ name })),
      sentinels: config.sentinels,
      commandTimeoutMs: config.commandTimeoutMs,
    });
  }
  throw new Error(`unknown cache topology ${String(config.topology)}: expected cluster or ring`);
}
