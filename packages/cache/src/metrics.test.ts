import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CacheBackend } from './backend';
import { Cache, registerCacheMetrics } from './index';

const store = new Map<string, string>();
const backend: CacheBackend = {
  topology: 'ring',
  get: (key) => Promise.resolve(store.get(key) ?? null),
  set: (key, value) => Promise.resolve(void store.set(key, value)),
  del: (keys) => Promise.resolve(void keys.forEach((key) => store.delete(key))),
  nodes: () => Promise.resolve([
    { shard: 'cache-0', address: '127.0.0.1:1', role: 'master', up: true },
    { shard: 'cache-0', address: '127.0.0.1:2', role: 'replica', up: false },
  ]),
  close: () => Promise.resolve(),
};

describe('registerCacheMetrics', () => {
  it('publishes lookups by result, the hit ratio and node liveness at scrape time', async () => {
    const registry = new Registry();
    const cache = new Cache(backend, 'event');
    registerCacheMetrics(registry, backend, [cache]);
    const policy = { ttlSeconds: 30, notFoundTtlSeconds: 5, schemaVersion: 1 };
    await cache.getOrLoad('e1', policy, () => Promise.resolve(1));
    await cache.getOrLoad('e1', policy, () => Promise.resolve(1));
    await cache.getOrLoad('e1', policy, () => Promise.resolve(1));

    const text = await registry.metrics();
    expect(text).toContain('eticket_cache_lookups_total{cache="event",result="hit"} 2');
    expect(text).toContain('eticket_cache_lookups_total{cache="event",result="miss"} 1');
    expect(text).toContain('eticket_cache_loads_total{cache="event"} 1');
    expect(text).toMatch(/eticket_cache_hit_ratio\{cache="event"\} 0\.666/);
    expect(text).toContain('eticket_cache_node_up{topology="ring",address="127.0.0.1:1",role="master",shard="cache-0"} 1');
    expect(text).toContain('eticket_cache_node_up{topology="ring",address="127.0.0.1:2",role="replica",shard="cache-0"} 0');
    // A second scrape reports the same totals, not doubled ones.
    expect(await registry.metrics()).toContain('eticket_cache_lookups_total{cache="event",result="hit"} 2');
  });
});
