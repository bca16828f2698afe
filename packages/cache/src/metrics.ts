import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheBackend } from './backend';
import type { Cache } from './cache';

/**
 * Cache health for /metrics, read at scrape time (collect callbacks), so the
 * Cache itself stays free of prom-client:
 * - eticket_cache_lookups_total{cache,result=hit|not_found_hit|miss}
 * - eticket_cache_loads_total{cache}, eticket_cache_errors_total{cache}
 * - eticket_cache_stale_loads_dropped_total{cache} (loads an invalidation overtook)
 * - eticket_cache_hit_ratio{cache}
 * - eticket_cache_pending_invalidations{cache}
 * - eticket_cache_node_up{topology,address,role,shard} (1 up, 0 down), one
 *   query to the backend per scrape.
 */
export function registerCacheMetrics(registry: Registry, backend: CacheBackend, caches: readonly Cache[]): void {
  const counter = (name: string, help: string, labelNames: string[], values: (cache: Cache) => Array<[Record<string, string>, number]>) => new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      // The Cache keeps the running totals; publish them as they are.
      this.reset();
      for (const cache of caches) for (const [labels, value] of values(cache)) this.inc({ cache: cache.namespace, ...labels }, value);
    },
  });
  counter('eticket_cache_lookups_total', 'Cache lookups by result', ['cache', 'result'], (cache) => {
    const s = cache.stats();
    return [[{ result: 'hit' }, s.hits], [{ result: 'not_found_hit' }, s.notFoundHits], [{ result: 'miss' }, s.misses]];
  });
  counter('eticket_cache_loads_total', 'Loads from the database after a miss', ['cache'], (cache) => [[{}, cache.stats().loads]]);
  counter('eticket_cache_errors_total', 'Cache operations that failed and fell back to the database', ['cache'], (cache) => [[{}, cache.stats().errors]]);
  counter('eticket_cache_stale_loads_dropped_total', 'Loads not stored because an invalidation of their key overtook them', ['cache'], (cache) => [[{}, cache.stats().staleLoadsDropped]]);
  new Gauge({
    name: 'eticket_cache_hit_ratio', help: 'Hits (including remembered not-found) over lookups since start', labelNames: ['cache'], registers: [registry],
    collect() {
      for (const cache of caches) this.set({ cache: cache.namespace }, cache.hitRatio());
    },
  });
  new Gauge({
    name: 'eticket_cache_pending_invalidations', help: 'Failed invalidations being retried', labelNames: ['cache'], registers: [registry],
    collect() {
      for (const cache of caches) this.set({ cache: cache.namespace }, cache.stats().pendingInvalidations);
    },
  });
  new Gauge({
    name: 'eticket_cache_node_up', help: 'Cache nodes as the topology reports them (1 up, 0 down)', labelNames: ['topology', 'address', 'role', 'shard'], registers: [registry],
    async collect() {
      this.reset();
      for (const node of await backend.nodes()) {
        this.set({ topology: backend.topology, address: node.address, role: node.role, shard: node.shard ?? '' }, node.up ? 1 : 0);
      }
    },
  });
}
