import type { CacheBackend } from '@eticket/cache';
import { describe, expect, it } from 'vitest';
import { StaleStore } from './stale-store';

class MemoryBackend implements CacheBackend {
  readonly topology = 'cluster' as const;
  readonly data = new Map<string, string>();
  writes = 0;
  failing = false;
  get(key: string) {
    return this.failing ? Promise.reject(new Error('down')) : Promise.resolve(this.data.get(key) ?? null);
  }

  set(key: string, value: string) {
    this.writes += 1;
    if (this.failing) return Promise.reject(new Error('down'));
    this.data.set(key, value);
    return Promise.resolve();
  }

  del() {
    return Promise.resolve();
  }

  nodes() {
    return Promise.resolve([]);
  }

  close() {
    return Promise.resolve();
  }
}

const settings = { ttlSeconds: 60, refreshSeconds: 5 };
const body = Buffer.from('{"id":"e1"}');
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('StaleStore', () => {
  it('serves what one gateway stored to another one through the shared cache', async () => {
    const shared = new MemoryBackend();
    new StaleStore(shared, settings).remember('/event/e1', 'application/json', body);
    await flush();
    const copy = await new StaleStore(shared, settings).recall('/event/e1');
    expect(copy).toMatchObject({ contentType: 'application/json' });
    expect(copy?.body.toString()).toBe('{"id":"e1"}');
  });

  it('writes a hot key at most once per refresh interval', async () => {
    const shared = new MemoryBackend();
    const store = new StaleStore(shared, settings);
    for (let i = 0; i < 100; i += 1) store.remember('/event/e1', 'application/json', body);
    await flush();
    expect(shared.writes).toBe(1);
  });

  it('still answers from its own copies when the shared cache is down', async () => {
    const shared = new MemoryBackend();
    const errors: string[] = [];
    const store = new StaleStore(shared, { ...settings, onError: (_error, operation) => errors.push(operation) });
    shared.failing = true;
    store.remember('/event?limit=5', 'application/json', body);
    await flush();
    expect((await store.recall('/event?limit=5'))?.body.toString()).toBe('{"id":"e1"}');
    expect(errors).toEqual(['set', 'get']);
  });

  it('keeps different queries apart and knows nothing it never saw', async () => {
    const store = new StaleStore(undefined, settings);
    store.remember('/event?limit=5', 'application/json', body);
    expect(await store.recall('/event?limit=6')).toBeUndefined();
  });

  it('forgets copies older than the TTL', async () => {
    const store = new StaleStore(undefined, { ttlSeconds: 1, refreshSeconds: 0 });
    store.remember('/event/e1', 'application/json', body);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 1_500;
      expect(await store.recall('/event/e1')).toBeUndefined();
    } finally {
      Date.now = realNow;
    }
  });

  it('bounds the copies it keeps in the process', async () => {
    const store = new StaleStore(undefined, { ...settings, localEntries: 2 });
    for (const id of ['a', 'b', 'c']) store.remember(`/event/${id}`, 'application/json', body);
    expect(await store.recall('/event/a')).toBeUndefined();
    expect(await store.recall('/event/c')).toBeDefined();
  });
});
