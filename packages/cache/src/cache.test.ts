import { describe, expect, it } from 'vitest';
import { Cache, CacheTimeoutError, createCacheBackend, encode, parseClusterNodes, withDeadline } from './index';
import { MemoryCacheBackend } from './memory-backend';

const policy = { ttlSeconds: 30, notFoundTtlSeconds: 5, schemaVersion: 1 };

describe('Cache', () => {
  it('loads on a miss, then serves the stored value without loading again', async () => {
    const cache = new Cache(new MemoryCacheBackend(), 'event');
    let loads = 0;
    const load = () => Promise.resolve({ id: 'e1', loads: ++loads });
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ id: 'e1', loads: 1 });
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ id: 'e1', loads: 1 });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, loads: 1 });
  });

  it('loads a key once for many concurrent misses (no stampede)', async () => {
    const cache = new Cache(new MemoryCacheBackend(), 'event');
    let loads = 0;
    const slowLoad = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { id: 'hot' };
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.getOrLoad('hot', policy, slowLoad)));
    expect(loads).toBe(1);
    expect(results.every((result) => result?.id === 'hot')).toBe(true);
  });

  it('remembers "not found" so repeated lookups of a missing id skip the database', async () => {
    const cache = new Cache(new MemoryCacheBackend(), 'event');
    let loads = 0;
    const load = () => {
      loads += 1;
      return Promise.resolve(undefined);
    };
    expect(await cache.getOrLoad('missing', policy, load)).toBeUndefined();
    expect(await cache.getOrLoad('missing', policy, load)).toBeUndefined();
    expect(loads).toBe(1);
    expect(cache.stats().notFoundHits).toBe(1);
  });

  it('reads through to the loader when the backend fails, and counts the errors', async () => {
    const backend = new MemoryCacheBackend();
    backend.failing = true;
    const errors: string[] = [];
    const cache = new Cache(backend, 'event', (_error, operation) => errors.push(operation));
    expect(await cache.getOrLoad('e1', policy, () => Promise.resolve({ id: 'e1' }))).toEqual({ id: 'e1' });
    expect(errors).toEqual(['get', 'set']);
    await expect(cache.invalidate('e1')).resolves.toBeUndefined();
  });

  it('drops an entry on invalidation so the next read loads the new value', async () => {
    const cache = new Cache(new MemoryCacheBackend(), 'event');
    let version = 1;
    const load = () => Promise.resolve({ version });
    await cache.getOrLoad('e1', policy, load);
    version = 2;
    await cache.invalidate('e1');
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ version: 2 });
  });

  it('treats an entry written with another schema version as a miss', async () => {
    const backend = new MemoryCacheBackend();
    backend.data.set('event:e1', encode({ old: 'shape' }, 1));
    const cache = new Cache(backend, 'event');
    expect(await cache.getOrLoad('e1', { ...policy, schemaVersion: 2 }, () => Promise.resolve({ fresh: true }))).toEqual({ fresh: true });
  });

  it('treats a corrupt entry as a miss', async () => {
    const backend = new MemoryCacheBackend();
    backend.data.set('event:e1', '{not json');
    const cache = new Cache(backend, 'event');
    expect(await cache.getOrLoad('e1', policy, () => Promise.resolve({ ok: true }))).toEqual({ ok: true });
  });

  it('retries a failed invalidation and reads the key from the loader until the delete succeeds', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'event', () => undefined, { retryIntervalMs: 10 });
    let version = 1;
    const load = () => Promise.resolve({ version });
    await cache.getOrLoad('e1', policy, load);
    // The node holding the entry goes away while the value changes.
    backend.failing = true;
    version = 2;
    await cache.invalidate('e1');
    expect(cache.stats().pendingInvalidations).toBe(1);
    // The node is back with the old entry (a promoted replica): this instance still reads the new value.
    backend.failing = false;
    backend.data.set('event:e1', encode({ version: 1 }, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cache.stats().pendingInvalidations).toBe(0);
    expect(backend.data.has('event:e1')).toBe(false);
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ version: 2 });
  });

  it('bypasses the cache for a key whose invalidation is pending', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'event', () => undefined, { retryIntervalMs: 60_000 });
    backend.failing = true;
    await cache.invalidate('e1');
    backend.failing = false;
    backend.data.set('event:e1', encode({ stale: true }, 1));
    expect(await cache.getOrLoad('e1', policy, () => Promise.resolve({ stale: false }))).toEqual({ stale: false });
  });

  it('gives up retrying an invalidation after invalidationRetryMs', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'event', () => undefined, { retryIntervalMs: 5, invalidationRetryMs: 20 });
    backend.failing = true;
    await cache.invalidate('e1');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(cache.stats().pendingInvalidations).toBe(0);
  });
});

describe('Cache single flight and invalidation races', () => {
  const slowLoad = (read: () => number, ms = 30) => async () => {
    const version = read();
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { version };
  };

  it('does not hand a reader who comes after an invalidation the value of a load that started before it', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'event', () => undefined, { secondDeleteAfterMs: 0 });
    let version = 1;
    const load = slowLoad(() => version);
    const before = cache.getOrLoad('e1', policy, load);
    await new Promise((resolve) => setTimeout(resolve, 5));
    version = 2;
    await cache.invalidate('e1');
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ version: 2 });
    // The reader who asked before the write may get either; it got the older value of the first load.
    expect(await before).toEqual({ version: 1 });
    expect(cache.stats().staleLoadsDropped).toBe(1);
    // The overtaken load did not overwrite the newer value it lost the race to.
    expect(backend.data.get('event:e1')).toBe(encode({ version: 2 }, 1));
  });

  it('never stores the value of a load overtaken by an invalidation, even when nobody reads again', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'event', () => undefined, { secondDeleteAfterMs: 0 });
    let version = 1;
    const loading = cache.getOrLoad('e1', policy, slowLoad(() => version));
    await new Promise((resolve) => setTimeout(resolve, 5));
    version = 2;
    await cache.invalidate('e1');
    await loading;
    expect(backend.data.has('event:e1')).toBe(false);
  });

  it('keeps the newer load registered when an overtaken load finishes, so later readers still share it', async () => {
    const cache = new Cache(new MemoryCacheBackend(), 'event', () => undefined, { secondDeleteAfterMs: 0 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, loads === 1 ? 10 : 60));
      return { loads };
    };
    const first = cache.getOrLoad('e1', policy, load);
    await new Promise((resolve) => setTimeout(resolve, 2));
    await cache.invalidate('e1');
    const second = cache.getOrLoad('e1', policy, load);
    await first;
    // The first load has finished; a third reader must join the second load, not start a third.
    const third = cache.getOrLoad('e1', policy, load);
    await Promise.all([second, third]);
    expect(loads).toBe(2);
  });

  it('deletes the key a second time after secondDeleteAfterMs, removing a value stored in between from an older read', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'event', () => undefined, { secondDeleteAfterMs: 30 });
    await cache.invalidate('e1');
    // Another instance read the row before the write and stores it now.
    backend.data.set('event:e1', encode({ version: 1 }, 1));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(backend.data.has('event:e1')).toBe(false);
    cache.close();
  });

  it('stores only the values storeIf accepts, but returns every loaded value', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'order');
    const finalOnly = { ...policy, notFoundTtlSeconds: 0, storeIf: (order: { status: string }) => order.status !== 'pending' };
    expect(await cache.getOrLoad('o1', finalOnly, () => Promise.resolve({ status: 'pending' }))).toEqual({ status: 'pending' });
    expect(backend.data.has('order:o1')).toBe(false);
    await cache.getOrLoad('o2', finalOnly, () => Promise.resolve({ status: 'paid' }));
    expect(backend.data.has('order:o2')).toBe(true);
    // Not-found is not remembered with notFoundTtlSeconds 0.
    expect(await cache.getOrLoad('o3', finalOnly, () => Promise.resolve(undefined))).toBeUndefined();
    expect(backend.data.has('order:o3')).toBe(false);
  });
});

describe('Cache without single flight', () => {
  const alone = { ...policy, singleFlight: false };

  it('loads once per reader, so a reader who comes after a change never gets an answer loaded before it', async () => {
    const cache = new Cache(new MemoryCacheBackend(), 'order', () => undefined, { secondDeleteAfterMs: 0 });
    let version = 1;
    let loads = 0;
    const load = async () => {
      loads += 1;
      const seen = version;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { version: seen };
    };
    const notStored = { ...alone, storeIf: () => false };
    const before = cache.getOrLoad('o1', notStored, load);
    await new Promise((resolve) => setTimeout(resolve, 5));
    version = 2;
    expect(await cache.getOrLoad('o1', notStored, load)).toEqual({ version: 2 });
    expect(await before).toEqual({ version: 1 });
    expect(loads).toBe(2);
  });

  it('still drops the value of a load that an invalidation overtook', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'order', () => undefined, { secondDeleteAfterMs: 0 });
    const loading = cache.getOrLoad('o1', alone, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { version: 1 };
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await cache.invalidate('o1');
    await loading;
    expect(backend.data.has('order:o1')).toBe(false);
    expect(cache.stats().staleLoadsDropped).toBe(1);
  });
});

describe('Cache generations', () => {
  it('starts at "0" and gets a new token on every bump, so entries keyed by the old one are no longer read', async () => {
    const cache = new Cache(new MemoryCacheBackend(), 'event-list', () => undefined, { secondDeleteAfterMs: 0 });
    const first = await cache.generation('all');
    expect(first).toBe('0');
    await cache.bumpGeneration('all', 5);
    const second = await cache.generation('all');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    await cache.bumpGeneration('all', 5);
    expect(await cache.generation('all')).not.toBe(second);
  });

  it('answers undefined (read the authority) while Redis fails, and for one entry TTL after a bump that failed', async () => {
    const backend = new MemoryCacheBackend();
    const cache = new Cache(backend, 'event-list', () => undefined, { secondDeleteAfterMs: 0 });
    backend.failing = true;
    expect(await cache.generation('all')).toBeUndefined();
    await expect(cache.bumpGeneration('all', 0.05)).resolves.toBeUndefined();
    backend.failing = false;
    // Redis is back, but this instance's write did not retire the old entries: they may still be read elsewhere, not here.
    expect(await cache.generation('all')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(await cache.generation('all')).toBe('0');
  });
});

describe('withDeadline', () => {
  it('rejects with CacheTimeoutError when the work is slower than the deadline', async () => {
    const slow = new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await expect(withDeadline(slow, 20, 'GET')).rejects.toBeInstanceOf(CacheTimeoutError);
    expect(Date.now() - started).toBeLessThan(150);
    await expect(withDeadline(Promise.resolve('v'), 20, 'GET')).resolves.toBe('v');
  });
});

describe('createCacheBackend', () => {
  const base = { clusterNodes: [], sentinels: [], ringShards: [], commandTimeoutMs: 200 };
  it('names the missing setting of the chosen topology', () => {
    expect(() => createCacheBackend({ ...base, topology: 'cluster' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => createCacheBackend({ ...base, topology: 'ring', ringShards: ['cache-0'] })).toThrow(/REDIS_SENTINELS/);
    expect(() => createCacheBackend({ ...base, topology: 'ring', sentinels: ['127.0.0.1:1'] })).toThrow(/REDIS_RING_SHARDS/);
    expect(() => createCacheBackend({ ...base, topology: 'memcached' as 'ring' })).toThrow(/unknown cache topology/);
  });
});

describe('parseClusterNodes', () => {
  it('reads roles and liveness from CLUSTER NODES, a failed master as down', () => {
    const text = [
      'a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460',
      'b2 127.0.0.1:7002@17002 master,fail - 1 1 2 disconnected',
      'c3 127.0.0.1:7005@17005 slave a1 0 1 1 connected',
    ].join('\n');
    expect(parseClusterNodes(text)).toEqual([
      { address: '127.0.0.1:7001', role: 'master', up: true },
      { address: '127.0.0.1:7002', role: 'master', up: false },
      { address: '127.0.0.1:7005', role: 'replica', up: true },
    ]);
  });
});
