import type { Registry } from 'prom-client';
import type { CacheBackend } from './backend';
import { Cache, type CacheOptions } from './cache';
import { createCacheBackend } from './factory';
import { registerCacheMetrics } from './metrics';
import { cacheReport } from './report';

/** The cache variables of a service's configuration, as its config schema names them. */
export interface CacheSettings {
  /** `cluster` or `ring`; unset: the service runs without a cache. */
  readonly CACHE_TOPOLOGY?: 'cluster' | 'ring' | undefined;
  readonly REDIS_CLUSTER_NODES?: string | undefined;
  readonly REDIS_SENTINELS?: string | undefined;
  /** Sentinel master names of the ring's shards; default cache-0,cache-1,cache-2. */
  readonly REDIS_RING_SHARDS?: string | undefined;
  readonly REDIS_COMMAND_TIMEOUT_MS: number;
}

const DEFAULT_RING_SHARDS = ['cache-0', 'cache-1', 'cache-2'];
const listOf = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0);

/** The backend of the configured topology, or undefined when the settings name no cache. */
export function cacheBackendFromSettings(settings: CacheSettings): CacheBackend | undefined {
  const topology = settings.CACHE_TOPOLOGY;
  const servers = topology === 'cluster' ? listOf(settings.REDIS_CLUSTER_NODES) : topology === 'ring' ? listOf(settings.REDIS_SENTINELS) : [];
  if (topology === undefined || servers.length === 0) return undefined;
  const ringShards = listOf(settings.REDIS_RING_SHARDS);
  return createCacheBackend({
    topology,
    clusterNodes: listOf(settings.REDIS_CLUSTER_NODES),
    sentinels: listOf(settings.REDIS_SENTINELS),
    ringShards: ringShards.length > 0 ? ringShards : DEFAULT_RING_SHARDS,
    commandTimeoutMs: settings.REDIS_COMMAND_TIMEOUT_MS,
  });
}

/**
 * A service's connection to the shared cache and its named caches (one
 * namespace each), with what /status and /metrics show of them.
 */
export class ServiceCaches<Name extends string> {
  private readonly caches: ReadonlyMap<Name, Cache>;

  constructor(
    readonly backend: CacheBackend,
    names: readonly Name[],
    onError: (error: unknown, operation: string) => void,
    options: CacheOptions = {},
  ) {
    this.caches = new Map(names.map((name) => [name, new Cache(backend, name, onError, options)]));
  }

  cache(name: Name): Cache {
    const cache = this.caches.get(name);
    if (cache === undefined) throw new Error(`no cache named ${name}`);
    return cache;
  }

  /** For a service's `cache` status check (non-required: see cacheReport). */
  report(): Promise<Record<string, unknown>> {
    return cacheReport(this.backend, [...this.caches.values()]);
  }

  /** Publishes the caches' metrics on the service's registry (its /metrics). */
  registerMetrics(registry: Registry): void {
    registerCacheMetrics(registry, this.backend, [...this.caches.values()]);
  }

  async close(): Promise<void> {
    for (const cache of this.caches.values()) cache.close();
    await this.backend.close();
  }
}
