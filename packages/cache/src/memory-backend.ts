import type { CacheBackend } from './backend';

/**
 * Redis as a Map, for the unit tests of code that uses a Cache (integration
 * tests use the real servers). TTLs are ignored; `failing` makes every
 * command reject, as a dead node would.
 */
export class MemoryCacheBackend implements CacheBackend {
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
    return Promise.resolve([{ address: 'memory', role: 'master' as const, up: !this.failing }]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
