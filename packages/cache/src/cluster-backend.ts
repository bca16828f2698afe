import { Cluster } from 'ioredis';
import type { CacheBackend, CacheNodeHealth } from './backend';

export interface ClusterBackendOptions {
  /** Seed nodes, `host:port`; the client discovers the rest from CLUSTER SLOTS. */
  readonly nodes: readonly string[];
  /** A cache command slower than this is abandoned and treated as a miss. */
  readonly commandTimeoutMs: number;
}

function hostPort(address: string): { host: string; port: number } {
  const [host = '127.0.0.1', port = '6379'] = address.split(':');
  return { host, port: Number(port) };
}

/**
 * Redis Cluster: keys are spread over 16384 hash slots owned by the masters
 * (Redis's own consistent partitioning); ioredis follows MOVED/ASK redirects
 * and refreshes the slot map after a failover promotes a replica.
 */
export class ClusterBackend implements CacheBackend {
  readonly topology = 'cluster' as const;
  private readonly cluster: Cluster;

  constructor(options: ClusterBackendOptions) {
    this.cluster = new Cluster(options.nodes.map(hostPort), {
      // Fail fast instead of queueing commands while the cluster is unreachable.
      enableOfflineQueue: false,
      slotsRefreshTimeout: 1_000,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      redisOptions: { commandTimeout: options.commandTimeoutMs, maxRetriesPerRequest: 1, connectTimeout: 1_000 },
    });
    // Errors surface per command; the connection-level event only needs a listener so it is not fatal.
    this.cluster.on('error', () => undefined);
  }

  get(key: string): Promise<string | null> {
    return this.cluster.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.cluster.set(key, value, 'EX', ttlSeconds);
  }

  async del(keys: readonly string[]): Promise<void> {
    // One DEL per key: keys of one call may live in different slots.
    await Promise.all(keys.map((key) => this.cluster.del(key)));
  }

  async nodes(): Promise<CacheNodeHealth[]> {
    const nodes = this.cluster.nodes('all');
    return Promise.all(nodes.map(async (node) => {
      const address = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
      try {
        const info = await node.info('replication');
        const role = /role:master/.test(info) ? 'master' : /role:slave/.test(info) ? 'replica' : 'unknown';
        return { address, role, up: true } as const;
      } catch {
        return { address, role: 'unknown', up: false } as const;
      }
    }));
  }

  async close(): Promise<void> {
    await this.cluster.quit().catch(() => this.cluster.disconnect());
  }
}
