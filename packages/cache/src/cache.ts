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
  /** Invalidations that failed and are being retried (their keys bypass the cache meanwhile). */
  pendingInvalidations: number;
}

export interface CacheOptions {
  /**
   * How long a failed invalidation is retried; after that the entry has
   * expired anyway, so make it at least the longest TTL (default 60 s).
   */
  readonly invalidationRetryMs?: number;
  /** Pause between retries of failed invalidations (default 250 ms). */
  readonly retryIntervalMs?: number;
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
 *   shared Redis, so every instance sees the change on its next read. A
 *   delete that fails (the key's node is down; after a failover its replica
 *   still holds the old value) is retried in the background, and until it
 *   succeeds this instance reads that key from the loader, never the cache.
 *   Other instances may read the old value until it expires: TTLs bound it.
 */
export class Cache {
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly counters: Omit<CacheStats, 'pendingInvalidations'> = { hits: 0, misses: 0, notFoundHits: 0, errors: 0, loads: 0 };
  /** Full key → when to stop retrying its delete (ms since the epoch). */
  private readonly pendingDeletes = new Map<string, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly invalidationRetryMs: number;
  private readonly retryIntervalMs: number;

  constructor(
    private readonly backend: CacheBackend,
    readonly namespace: string,
    private readonly onError: (error: unknown, operation: string) => void = () => undefined,
    options: CacheOptions = {},
  ) {
    this.invalidationRetryMs = options.invalidationRetryMs ?? 60_000;
    this.retryIntervalMs = options.retryIntervalMs ?? 250;
  }

  async getOrLoad<T>(key: string, policy: CachePolicy, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const fullKey = this.key(key);
    // While its invalidation is pending the cache may hold a value this
    // instance has already replaced: skip the read and go to the authority
    // (storing the fresh value is harmless; the retried delete follows).
    const raw = this.pendingDeletes.has(fullKey) ? null : await this.safely('get', () => this.backend.get(fullKey), null);
    const cached = decode<T>(raw, policy.schemaVersion);
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

  /** Never rejects: a delete that fails is retried in the background (see the class comment). */
  async invalidate(...keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const fullKeys = keys.map((key) => this.key(key));
    const deleted = await this.safely('del', async () => {
      await this.backend.del(fullKeys);
      return true;
    }, false);
    if (deleted) {
      for (const fullKey of fullKeys) this.pendingDeletes.delete(fullKey);
      return;
    }
    const giveUpAt = Date.now() + this.invalidationRetryMs;
    for (const fullKey of fullKeys) this.pendingDeletes.set(fullKey, giveUpAt);
    this.scheduleRetry();
  }

  async health(): Promise<CacheHealth> {
    const lookups = this.counters.hits + this.counters.notFoundHits + this.counters.misses;
    return {
      topology: this.backend.topology,
      nodes: await this.backend.nodes(),
      hitRatio: lookups === 0 ? 0 : (this.counters.hits + this.counters.notFoundHits) / lookups,
      stats: this.stats(),
    };
  }

  stats(): Readonly<CacheStats> {
    return { ...this.counters, pendingInvalidations: this.pendingDeletes.size };
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.pendingDeletes.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryDeletes().finally(() => this.scheduleRetry());
    }, this.retryIntervalMs);
    // Pending retries must not keep a process alive that is otherwise done.
    this.retryTimer.unref();
  }

  private async retryDeletes(): Promise<void> {
    const now = Date.now();
    await Promise.all([...this.pendingDeletes].map(async ([fullKey, giveUpAt]) => {
      if (now > giveUpAt) {
        this.pendingDeletes.delete(fullKey);
        return;
      }
      try {
        await this.backend.del([fullKey]);
        // A newer failed invalidate of the same key set a later deadline: keep that one.
        if (this.pendingDeletes.get(fullKey) === giveUpAt) this.pendingDeletes.delete(fullKey);
      } catch {
        // Still unreachable; next round.
      }
    }));
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
