import type { CacheBackend } from './backend';
import type { Cache } from './cache';

/** An unhealthy cache, with what was seen, for a /status check to show. */
export class CacheUnavailableError extends Error {
  constructor(message: string, readonly details: Record<string, unknown>) {
    super(message);
    this.name = 'CacheUnavailableError';
  }
}

/**
 * What a service's `GET /status` shows of its cache: the topology, every node
 * with its role and liveness as the topology reports them, and the hit ratio
 * and counters of each cache. Rejects (with the same details attached) only
 * when no node answers at all; a service registers it as a non-required
 * check, because the cache fails open: with every node down requests read
 * the database, so the instance stays ready (degraded, not down).
 */
export async function cacheReport(backend: CacheBackend, caches: readonly Cache[]): Promise<Record<string, unknown>> {
  const nodes = await backend.nodes();
  const up = nodes.filter((node) => node.up).length;
  const totals = caches.map((cache) => cache.stats());
  const hits = totals.reduce((sum, s) => sum + s.hits + s.notFoundHits, 0);
  const lookups = totals.reduce((sum, s) => sum + s.hits + s.notFoundHits + s.misses, 0);
  const details: Record<string, unknown> = {
    topology: backend.topology,
    nodes_up: up,
    nodes_total: nodes.length,
    nodes,
    hit_ratio: lookups === 0 ? 0 : hits / lookups,
    caches: Object.fromEntries(caches.map((cache) => [cache.namespace, { hit_ratio: cache.hitRatio(), ...cache.stats() }])),
  };
  if (up === 0) throw new CacheUnavailableError('no cache node answers: every read goes to the database', details);
  return details;
}
