import { describe, expect, it } from 'vitest';
import type { CacheBackend } from './backend';
import { Cache, encode } from './index';

/** An in-memory backend (unit tests only; integration tests use real Redis). */
class MemoryBackend implements CacheBackend {
  readonly topology = 'cluster' as const;
  readonly data = new Map<string, string>();
  failing = false;

  get(key: string): Promise<string | null> {
    return this.failing ? Promise.reject(new Error('node down')) : Promise.resolve(this.data.get(key) ?? null);
  }

  set(key: string, value: string): Promise<void> {
    if (this.failing) return Promise.reject(new Error('node down'));
    this.data.set(key, value);
    return Promise.resolve();
  }

  del(keys: readonly string[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error('node down'));
    for (const key of keys) this.data.delete(key);
    return Promise.resolve();
  }

  nodes() {
    return Promise.resolve([]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const policy = { ttlSeconds: 30, notFoundTtlSeconds: 5, schemaVersion: 1 };

describe('Cache', () => {
  it('loads on a miss, then serves the stored value without loading again', async () => {
    const cache = new Cache(new MemoryBackend(), 'event');
    let loads = 0;
    const load = () => Promise.resolve({ id: 'e1', loads: ++loads });
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ id: 'e1', loads: 1 });
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ id: 'e1', loads: 1 });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, loads: 1 });
  });

  it('loads a key once for many concurrent misses (no stampede)', async () => {
    const cache = new Cache(new MemoryBackend(), 'event');
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
    const cache = new Cache(new MemoryBackend(), 'event');
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
    const backend = new MemoryBackend();
    backend.failing = true;
    const errors: string[] = [];
    const cache = new Cache(backend, 'event', (_error, operation) => errors.push(operation));
    expect(await cache.getOrLoad('e1', policy, () => Promise.resolve({ id: 'e1' }))).toEqual({ id: 'e1' });
    expect(errors).toEqual(['get', 'set']);
    await expect(cache.invalidate('e1')).resolves.toBeUndefined();
  });

  it('drops an entry on invalidation so the next read loads the new value', async () => {
    const cache = new Cache(new MemoryBackend(), 'event');
    let version = 1;
    const load = () => Promise.resolve({ version });
    await cache.getOrLoad('e1', policy, load);
    version = 2;
    await cache.invalidate('e1');
    expect(await cache.getOrLoad('e1', policy, load)).toEqual({ version: 2 });
  });

  it('treats an entry written with another schema version as a miss', async () => {
    const backend = new MemoryBackend();
    backend.data.set('event:e1', encode({ old: 'shape' }, 1));
    const cache = new Cache(backend, 'event');
    expect(await cache.getOrLoad('e1', { ...policy, schemaVersion: 2 }, () => Promise.resolve({ fresh: true }))).toEqual({ fresh: true });
  });

  it('treats a corrupt entry as a miss', async () => {
    const backend = new MemoryBackend();
    backend.data.set('event:e1', '{not json');
    const cache = new Cache(backend, 'event');
    expect(await cache.getOrLoad('e1', policy, () => Promise.resolve({ ok: true }))).toEqual({ ok: true });
  });
});
