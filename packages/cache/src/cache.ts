import type { CacheBackend, CacheNodeHealth } from './backend';
import { decode, encode, encodeNotFound } from './codec';

export interface CachePolicy {
  /** Seconds a found value is kept. */
  readonly ttlSeconds: number;
  /** Seconds a "not found" answer is kept; 0 disables negative caching. */
  readonly notFoundTtlSeconds: number;
  /** Version of the cached value's shape; bump it when the shape changes. */
  readonly schemaVersion: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  notFoundHits: number;
  errors: number;
  loads: number;
}

export interface CacheHealth {
  readonly topology: CacheBackend['topology'];
  readonly nodes: CacheNodeHealth[];
  readonly hitRatio: number;
  readonly stats: Readonly<CacheStats>;
}

/**
 * Cache-aside over a Redis backend.
 * - The database stays the authority: callers pass a loader; nothing here
 *   decides a purchase.
 * - Stampede protection: concurrent misses for one key in this process share
 *   one load (single flight); each instance loads a hot key at most once per
 *   expiry.
 * - Negative caching: a loader answering `undefined` (not found) is remembered
 *   briefly so a flood of requests for a missing id does not reach the database.
 * - Failure isolation: any backend error counts as a miss and the loader runs,
 *   so a dead cache node makes requests slower, never failed.
 * - Invalidation: writers call `invalidate`; the entry is deleted in the
 *   shared Redis, so every instance sees the change on its next read.
 */
export class Cache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly counters: CacheStats = { hits: 0, misses: 0, notFoundHits: 0, errors: 0, loads: 0 };

  constructor(
    private readonly backend: CacheBackend,
    private readonly namespace: string,
    private readonly onError: (error: unknown, operation: string) => void = () => undefined,
  ) {}

  async getOrLoad<T>(key: string, policy: CachePolicy, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const fullKey = this.key(key);
    const cached = decode<T>(await this.safely('get', () => this.backend.get(fullKey), null), policy.schemaVersion);
    if (cached.kind === 'hit') {
      this.counters.hits += 1;
      return cached.value;
    }
    if (cached.kind === 'not_found') {
      this.counters.notFoundHits += 1;
      return undefined;
    }
    this.counters.misses += 1;
    const pending = this.inFlight.get(fullKey) as Promise<T | undefined> | undefined;
    if (pending !== undefined) return pending;
    const loading = this.loadAndStore(fullKey, policy, load).finally(() => this.inFlight.delete(fullKey));
    this.inFlight.set(fullKey, loading);
    return loading;
  }

  async invalidate(...keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.safely('del', () => this.backend.del(keys.map((key) => this.key(key))), undefined);
  }

  async health(): Promise<CacheHealth> {
    const lookups = this.counters.hits + this.counters.notFoundHits + this.counters.misses;
    return {
      topology: this.backend.topology,
      nodes: await this.backend.nodes(),
      hitRatio: lookups === 0 ? 0 : (this.counters.hits + this.counters.notFoundHits) / lookups,
      stats: { ...this.counters },
    };
  }

  stats(): Readonly<CacheStats> {
    return { ...this.counters };
  }

  private async loadAndStore<T>(fullKey: string, policy: CachePolicy, load: () => Promise<T | undefined>): Promise<T | undefined> {
    this.counters.loads += 1;
    const value = await load();
    if (value !== undefined) {
      await this.safely('set', () => this.backend.set(fullKey, encode(value, policy.schemaVersion), policy.ttlSeconds), undefined);
    } else if (policy.notFoundTtlSeconds > 0) {
      await this.safely('set', () => this.backend.set(fullKey, encodeNotFound(policy.schemaVersion), policy.notFoundTtlSeconds), undefined);
    }
    return value;
  }

  private key(key: string): string {
    return `${this.namespace}:${key}`;
  }

  private async safely<R>(operation: string, run: () => Promise<R>, fallback: R): Promise<R> {
    try {
      return await run();
    } catch (error) {
      this.counters.errors += 1;
      this.onError(error, operation);
      return fallback;
    }
  }
}
