import { Cluster } from 'ioredis';
import type { CacheBackend, CacheNodeHealth } from './backend';
import { withDeadline } from './deadline';

export interface ClusterBackendOptions {
  /** Seed nodes, `host:port`; the client discovers the rest from CLUSTER SLOTS. */
  readonly nodes: readonly string[];
  /** A cache operation slower than this is abandoned and treated as a miss. */
  readonly commandTimeoutMs: number;
  /** How often the slot map is refreshed without a MOVED to prompt it (default 2000 ms). */
  readonly slotsRefreshIntervalMs?: number;
}

function hostPort(address: string): { host: string; port: number } {
  const [host = '127.0.0.1', port = '6379'] = address.split(':');
  return { host, port: Number(port) };
}

/** One line of CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slots...>`. */
export function parseClusterNodes(text: string): CacheNodeHealth[] {
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const fields = line.split(' ');
    const address = (fields[1] ?? '?').split('@')[0] ?? '?';
    const flags = (fields[2] ?? '').split(',');
    const role = flags.includes('master') ? 'master' : flags.includes('slave') ? 'replica' : 'unknown';
    const up = fields[7] === 'connected' && !flags.includes('fail') && !flags.includes('fail?') && !flags.includes('noaddr');
    return { address, role, up } as const;
  }).sort((a, b) => a.address.localeCompare(b.address));
}

/**
 * Redis Cluster: keys are spread over 16384 hash slots owned by the masters
 * (Redis's own consistent partitioning). ioredis follows MOVED and ASK, and
 * after a failover it learns the promoted replica from a MOVED or the
 * periodic slot refresh.
 *
 * Failing fast: no offline queue (a command for an unreachable cluster is
 * rejected at once instead of waiting for a reconnect), a per-attempt
 * commandTimeout, few redirections (each retry after a lost connection waits
 * retryDelayOnFailover), and a deadline on the whole operation. A dead master
 * therefore costs a request at most commandTimeoutMs before the Cache reads
 * through to the database.
 */
export class ClusterBackend implements CacheBackend {
  readonly topology = 'cluster' as const;
  private readonly cluster: Cluster;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClusterBackendOptions) {
    this.timeoutMs = options.commandTimeoutMs;
    this.cluster = new Cluster(options.nodes.map(hostPort), {
      enableOfflineQueue: false,
      // Keeps the node list (for /status) and the slot owners current even when no MOVED arrives.
      slotsRefreshInterval: options.slotsRefreshIntervalMs ?? 2_000,
      slotsRefreshTimeout: Math.min(1_000, options.commandTimeoutMs * 4),
      // A lost connection is retried through another node after this delay; the MOVED it gets
      // leads to the slot's owner, the promoted replica once the cluster has failed over.
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      // Bounds how long a command keeps retrying in the background after its deadline.
      maxRedirections: 6,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      redisOptions: { commandTimeout: options.commandTimeoutMs, connectTimeout: 1_000, maxRetriesPerRequest: 1 },
    });
    // Errors surface per command; the connection-level event only needs a listener so it is not fatal.
    this.cluster.on('error', () => undefined);
    this.cluster.on('node error', () => undefined);
  }

  /** The ioredis client, for tests and tools that need cluster commands. */
  get client(): Cluster {
    return this.cluster;
  }

  get(key: string): Promise<string | null> {
    return withDeadline(this.cluster.get(key), this.timeoutMs, 'GET');
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await withDeadline(this.cluster.set(key, value, 'EX', ttlSeconds), this.timeoutMs, 'SET');
  }

  async del(keys: readonly string[]): Promise<void> {
    // One DEL per key: keys of one call may live in different slots.
    await withDeadline(Promise.all(keys.map((key) => this.cluster.del(key))), this.timeoutMs, 'DEL');
  }

  /**
   * Every node as the cluster itself sees it (CLUSTER NODES from any reachable
   * node): masters, replicas, and failed nodes as down. With no node reachable,
   * the seed nodes, all down.
   */
  async nodes(): Promise<CacheNodeHealth[]> {
    try {
      const text = await withDeadline(this.cluster.call('CLUSTER', 'NODES'), Math.max(this.timeoutMs, 500), 'CLUSTER NODES');
      return parseClusterNodes(String(text));
    } catch {
      return this.options.nodes.map((address) => ({ address, role: 'unknown', up: false }) as const);
    }
  }

  async close(): Promise<void> {
    await this.cluster.quit().catch(() => this.cluster.disconnect());
  }
}
