import HashRing from 'hashring';
import { Redis } from 'ioredis';
import type { CacheBackend, CacheNodeHealth } from './backend';

export interface RingShard {
  /** Sentinel master name of the shard, e.g. `cache-0`. */
  readonly name: string;
}

export interface RingBackendOptions {
  readonly shards: readonly RingShard[];
  /** Sentinels watching every shard, `host:port`. */
  readonly sentinels: readonly string[];
  readonly commandTimeoutMs: number;
  /** Virtual nodes per shard on the ring; 320 gives a coefficient of variation near 0.01 for 3 shards. */
  readonly virtualNodes?: number;
}

/** The ring alone, so its key distribution can be measured without servers. */
export function createRing(shardNames: readonly string[], virtualNodes = 320): HashRing {
  const servers = Object.fromEntries(shardNames.map((name) => [name, { vnodes: virtualNodes }]));
  return new HashRing(servers, 'md5', { 'max cache size': 10_000 });
}

function hostPort(address: string): { host: string; port: number } {
  const [host = '127.0.0.1', port = '26379'] = address.split(':');
  return { host, port: Number(port) };
}

/**
 * Consistent hashing over independent Redis shards (the `hashring` package:
 * ketama-compatible MD5 ring with virtual nodes), each shard a primary and a
 * replica watched by Redis Sentinel. ioredis asks the Sentinels for the
 * shard's current primary and reconnects to the promoted replica after a
 * failover, so the ring itself never changes when a primary dies; adding or
 * removing a shard moves only about 1/N of the keys.
 */
export class RingBackend implements CacheBackend {
  readonly topology = 'ring' as const;
  private readonly ring: HashRing;
  private readonly clients = new Map<string, Redis>();

  constructor(options: RingBackendOptions) {
    this.ring = createRing(options.shards.map((shard) => shard.name), options.virtualNodes);
    for (const shard of options.shards) {
      const client = new Redis({
        sentinels: options.sentinels.map(hostPort),
        name: shard.name,
        role: 'master',
        enableOfflineQueue: false,
        commandTimeout: options.commandTimeoutMs,
        maxRetriesPerRequest: 1,
        connectTimeout: 1_000,
        sentinelRetryStrategy: (times) => Math.min(100 * times, 1_000),
        retryStrategy: (times) => Math.min(50 * times, 500),
      });
      client.on('error', () => undefined);
      this.clients.set(shard.name, client);
    }
  }

  shardOf(key: string): string {
    return this.ring.get(key);
  }

  private clientFor(key: string): Redis {
    const client = this.clients.get(this.shardOf(key));
    if (client === undefined) throw new Error(`no client for the shard of ${key}`);
    return client;
  }

  get(key: string): Promise<string | null> {
    return this.clientFor(key).get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.clientFor(key).set(key, value, 'EX', ttlSeconds);
  }

  async del(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.clientFor(key).del(key)));
  }

  async nodes(): Promise<CacheNodeHealth[]> {
    return Promise.all([...this.clients.entries()].map(async ([shard, client]) => {
      const address = `${client.options.host ?? '?'}:${client.options.port ?? '?'}`;
      try {
        const info = await client.info('replication');
        return { shard, address, role: /role:master/.test(info) ? 'master' : 'replica', up: true } as const;
      } catch {
        return { shard, address, role: 'unknown', up: false } as const;
      }
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.quit().catch(() => client.disconnect())));
  }
}
