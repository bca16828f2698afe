/** Health of one cache node as shown in /status. */
export interface CacheNodeHealth {
  readonly address: string;
  readonly role: 'master' | 'replica' | 'unknown';
  readonly up: boolean;
  /** For the ring topology: the shard this node serves. */
  readonly shard?: string;
}

/**
 * What the cache needs from Redis, whatever the topology. Implementations
 * fail fast (short command timeouts, no offline queue) so a dead node costs a
 * request milliseconds, never its success: the Cache treats any backend error
 * as a miss and reads through to the database.
 */
export interface CacheBackend {
  readonly topology: 'cluster' | 'ring';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(keys: readonly string[]): Promise<void>;
  nodes(): Promise<CacheNodeHealth[]>;
  close(): Promise<void>;
}
