import { randomUUID } from 'node:crypto';
import type { CacheBackend, CacheNodeHealth } from './backend';
import { decode, encode, encodeNotFound } from './codec';

export interface CachePolicy<T = unknown> {
  /** Seconds a found value is kept. */
  readonly ttlSeconds: number;
  /** Seconds a "not found" answer is kept; 0 disables negative caching. */
  readonly notFoundTtlSeconds: number;
  /** Version of the cached value's shape; bump it when the shape changes. */
  readonly schemaVersion: number;
  /**
   * Which loaded values may be stored (default: all). A value that may still
   * change without an invalidation (an order not yet in a final state) is
   * returned to the caller but not stored.
   */
  readonly storeIf?: (value: T) => boolean;
  /**
   * Share one load among concurrent misses of a key (default true). Off for
   * values that change without an invalidation reaching this process (an
   * order awaiting payment): a reader who comes after such a change must not
   * get the answer of a load that started before it.
   */
  readonly singleFlight?: boolean;
}

export interface CacheStats {
  hits: number;
  misses: number;
  notFoundHits: number;
  errors: number;
  loads: number;
  /** Loads whose value was not stored because an invalidation of the key overtook them. */
  staleLoadsDropped: number;
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
  /**
   * Every invalidation deletes the keys again this long after the first
   * delete (0: no second delete; default 1000 ms). It removes a value that a
   * reader elsewhere loaded before the write (or from a standby that had not
   * replayed it yet) and stored after the first delete.
   */
  readonly secondDeleteAfterMs?: number;
}

export interface CacheHealth {
  readonly topology: CacheBackend['topology'];
  readonly nodes: CacheNodeHealth[];
  readonly hitRatio: number;
  readonly stats: Readonly<CacheStats>;
}

/** One load of a key shared by concurrent readers; `stale` once an invalidation overtook it. */
interface Flight {
  promise: Promise<unknown>;
  stale: boolean;
}

/**
 * Cache-aside over a Redis backend.
 * - The database stays the authority: callers pass a loader; nothing here
 *   decides a purchase.
 * - Stampede protection: concurrent misses for one key in this process share
 *   one load (single flight); each instance loads a hot key at most once per
 *   expiry. A load that an invalidation of its key overtakes is "stale": its
 *   value still answers the readers that joined it before the write, but it
 *   is not stored, and readers that come after the invalidation start a new
 *   load instead of joining it (otherwise they would get the value from
 *   before the write, and so would everyone else for a whole TTL).
 * - Negative caching: a loader answering `undefined` (not found) is remembered
 *   briefly so a flood of requests for a missing id does not reach the database.
 * - Failure isolation: any backend error counts as a miss and the loader runs,
 *   so a dead cache node makes requests slower, never failed.
 * - Invalidation: writers call `invalidate`; the entry is deleted in the
 *   shared Redis, so every instance sees the change on its next read, and
 *   deleted once more `secondDeleteAfterMs` later (a reader in another
 *   instance may have loaded the old row just before the write and store it
 *   just after the first delete). A delete that fails (the key's node is
 *   down; after a failover its replica still holds the old value) is retried
 *   in the background, and until it succeeds this instance reads that key
 *   from the loader, never the cache. Other instances may read the old value
 *   until it expires: TTLs bound it.
 * - Generations: values that no single key names (pages of a list) are
 *   stored under a generation token that a write replaces (`bumpGeneration`),
 *   which retires every entry of the old generation at once.
 */
export class Cache {
  private readonly inFlight = new Map<string, Flight>();
  /** Loads without single flight (policy.singleFlight false), so an invalidation can still mark them stale. */
  private readonly unshared = new Map<string, Set<Flight>>();
  private readonly counters: Omit<CacheStats, 'pendingInvalidations'> = { hits: 0, misses: 0, notFoundHits: 0, errors: 0, loads: 0, staleLoadsDropped: 0 };
  /** Full key → when to stop retrying its delete (ms since the epoch). */
  private readonly pendingDeletes = new Map<string, number>();
  /** Generation name → until when this instance must not use entries of that generation (a bump failed). */
  private readonly generationBypass = new Map<string, number>();
  private readonly laterWork = new Set<NodeJS.Timeout>();
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly invalidationRetryMs: number;
  private readonly retryIntervalMs: number;
  private readonly secondDeleteAfterMs: number;

  constructor(
    private readonly backend: CacheBackend,
    readonly namespace: string,
    private readonly onError: (error: unknown, operation: string) => void = () => undefined,
    options: CacheOptions = {},
  ) {
    this.invalidationRetryMs = options.invalidationRetryMs ?? 60_000;
    this.retryIntervalMs = options.retryIntervalMs ?? 250;
    this.secondDeleteAfterMs = options.secondDeleteAfterMs ?? 1_000;
  }

  async getOrLoad<T>(key: string, policy: CachePolicy<T>, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const fullKey = this.key(key);
    const shared = policy.singleFlight !== false;
    // A load of this key is already running here: its answer is as fresh as a cache read would be.
    const running = shared ? this.inFlight.get(fullKey) : undefined;
    if (running !== undefined) {
      this.counters.misses += 1;
      return running.promise as Promise<T | undefined>;
    }
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
    // Another reader may have started a load while this one waited for Redis.
    const joined = shared ? this.inFlight.get(fullKey) : undefined;
    if (joined !== undefined) return joined.promise as Promise<T | undefined>;
    if (!shared) return this.loadAlone(fullKey, policy, load);
    const flight: Flight = { promise: Promise.resolve(), stale: false };
    const promise = this.loadAndStore(fullKey, policy, load, () => flight.stale).finally(() => {
      // Only this load's own entry: an invalidation may have replaced it with a newer load.
      if (this.inFlight.get(fullKey) === flight) this.inFlight.delete(fullKey);
    });
    flight.promise = promise;
    this.inFlight.set(fullKey, flight);
    return promise;
  }

  /** Never rejects: a delete that fails is retried in the background (see the class comment). */
  async invalidate(...keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const fullKeys = keys.map((key) => this.key(key));
    await this.deleteNow(fullKeys);
    if (this.secondDeleteAfterMs > 0) this.later(this.secondDeleteAfterMs, () => this.deleteNow(fullKeys));
  }

  /**
   * The current token of a generation, to put in the keys of entries that
   * must all be retired by one write (`bumpGeneration`); undefined when this
   * instance must not use such entries now (Redis unreachable, or a bump of
   * this instance failed less than one entry TTL ago): read the authority.
   */
  async generation(name: string): Promise<string | undefined> {
    const bypassUntil = this.generationBypass.get(name);
    if (bypassUntil !== undefined) {
      if (Date.now() < bypassUntil) return undefined;
      this.generationBypass.delete(name);
    }
    const token = await this.safely('get', async () => ({ value: await this.backend.get(this.generationKey(name)) }), undefined);
    // A generation never bumped (or whose token expired) is "0"; its entries expire like any others.
    return token === undefined ? undefined : (token.value ?? '0');
  }

  /**
   * Retires every entry of a generation by giving it a new token, now and
   * once more `secondDeleteAfterMs` later (as invalidate does). Never
   * rejects: when the new token cannot be stored, this instance stops using
   * the generation's entries for `entryTtlSeconds` (by then the old ones have
   * expired everywhere, so nothing stale is left to read).
   */
  async bumpGeneration(name: string, entryTtlSeconds: number): Promise<void> {
    await this.bumpNow(name, entryTtlSeconds);
    if (this.secondDeleteAfterMs > 0) this.later(this.secondDeleteAfterMs, () => this.bumpNow(name, entryTtlSeconds));
  }

  async health(): Promise<CacheHealth> {
    return {
      topology: this.backend.topology,
      nodes: await this.backend.nodes(),
      hitRatio: this.hitRatio(),
      stats: this.stats(),
    };
  }

  /** Hits (including remembered not-found) over lookups since start; 0 before the first lookup. */
  hitRatio(): number {
    const lookups = this.counters.hits + this.counters.notFoundHits + this.counters.misses;
    return lookups === 0 ? 0 : (this.counters.hits + this.counters.notFoundHits) / lookups;
  }

  stats(): Readonly<CacheStats> {
    return { ...this.counters, pendingInvalidations: this.pendingDeletes.size };
  }

  /** Stops the background work (retries, second deletes); the backend is closed by its owner. */
  close(): void {
    for (const timer of this.laterWork) clearTimeout(timer);
    this.laterWork.clear();
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pendingDeletes.clear();
  }

  /** One reader's own load, still overtaken (not stored) by an invalidation that comes while it runs. */
  private async loadAlone<T>(fullKey: string, policy: CachePolicy<T>, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const flight: Flight = { promise: Promise.resolve(), stale: false };
    const running = this.unshared.get(fullKey) ?? new Set<Flight>();
    this.unshared.set(fullKey, running.add(flight));
    try {
      return await this.loadAndStore(fullKey, policy, load, () => flight.stale);
    } finally {
      running.delete(flight);
      if (running.size === 0 && this.unshared.get(fullKey) === running) this.unshared.delete(fullKey);
    }
  }

  private async deleteNow(fullKeys: readonly string[]): Promise<void> {
    // Loads of these keys that started before now may carry the old value: never store them, never join them again.
    for (const fullKey of fullKeys) {
      const flight = this.inFlight.get(fullKey);
      if (flight !== undefined) {
        flight.stale = true;
        this.inFlight.delete(fullKey);
      }
      for (const alone of this.unshared.get(fullKey) ?? []) alone.stale = true;
    }
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

  private async bumpNow(name: string, entryTtlSeconds: number): Promise<void> {
    // A token lives far longer than the entries under it; if it expires, readers fall back to "0" (see generation()).
    const stored = await this.safely('set', async () => {
      await this.backend.set(this.generationKey(name), randomUUID(), Math.max(86_400, entryTtlSeconds * 10));
      return true;
    }, false);
    if (!stored) this.generationBypass.set(name, Date.now() + entryTtlSeconds * 1000);
  }

  /** Runs `work` after `ms` unless close() comes first; never keeps the process alive. */
  private later(ms: number, work: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.laterWork.delete(timer);
      void work();
    }, ms);
    timer.unref();
    this.laterWork.add(timer);
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

  private async loadAndStore<T>(fullKey: string, policy: CachePolicy<T>, load: () => Promise<T | undefined>, overtaken: () => boolean): Promise<T | undefined> {
    this.counters.loads += 1;
    const value = await load();
    if (overtaken()) {
      this.counters.staleLoadsDropped += 1;
      return value;
    }
    if (value !== undefined) {
      if (policy.storeIf === undefined || policy.storeIf(value)) {
        await this.safely('set', () => this.backend.set(fullKey, encode(value, policy.schemaVersion), policy.ttlSeconds), undefined);
      }
    } else if (policy.notFoundTtlSeconds > 0) {
      await this.safely('set', () => this.backend.set(fullKey, encodeNotFound(policy.schemaVersion), policy.notFoundTtlSeconds), undefined);
    }
    return value;
  }

  private key(key: string): string {
    return `${this.namespace}:${key}`;
  }

  private generationKey(name: string): string {
    return `${this.namespace}:generation:${name}`;
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
