import HashRing from 'hashring';
import { Redis } from 'ioredis';
import type { CacheBackend, CacheNodeHealth } from './backend';
import { withDeadline } from './deadline';
import { keepConnected } from './keep-connected';

export interface RingShard {
  /** Sentinel master name of the shard, e.g. `cache-0`. */
  readonly name: string;
}

export interface RingBackendOptions {
  readonly shards: readonly RingShard[];
  /** Sentinels watching every shard, `host:port`. */
  readonly sentinels: readonly string[];
  readonly commandTimeoutMs: number;
  /** Virtual nodes per shard on the ring (default 320: keys per shard vary by a coefficient of about 0.02 over 3 shards). */
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

/** SENTINEL REPLICAS answers flat [k, v, k, v, ...] arrays. */
function records(reply: unknown): Array<Record<string, string>> {
  if (!Array.isArray(reply)) return [];
  return reply.map((flat) => {
    const out: Record<string, string> = {};
    if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
    return out;
  });
}

/**
 * Consistent hashing over independent Redis shards (the `hashring` package:
 * ketama-compatible MD5 ring with virtual nodes), each shard a primary and a
 * replica watched by Redis Sentinel. The ring never changes when a primary
 * dies; only where a shard's traffic goes does:
 * - each shard has one ioredis client in Sentinel mode, which asks the
 *   Sentinels for the shard's primary on every (re)connect: after the old
 *   primary's connection drops, it reconnects to whatever Sentinel promoted;
 * - ioredis's own failover detector (`failoverDetector`) subscribes to the
 *   Sentinels' `+switch-master` once connected and reconnects at once, also
 *   when the old primary is still alive (a manual failover, a partition); a
 *   READONLY reply (we reached a demoted primary) does the same.
 *   We used to subscribe ourselves and call `disconnect(true)` on a switch;
 *   when that landed while the client was still asking the Sentinels (after
 *   the primary's SIGKILL), ioredis's connect promise rejected with
 *   "Connection is closed." and left the client in `end` for good: the shard
 *   was never used again. ioredis arms its detector only on a connected
 *   stream, so it cannot hit that window; and should a client ever end while
 *   the backend is open, it is reconnected (`keepConnected`).
 * Failing fast: no offline queue (while a shard reconnects its commands fail
 * at once), a per-command timeout for a hung node, and a deadline on every
 * operation. Adding or removing a shard moves only about 1/N of the keys.
 */
export class RingBackend implements CacheBackend {
  readonly topology = 'ring' as const;
  private readonly ring: HashRing;
  private readonly clients = new Map<string, Redis>();
  private closing = false;
  private readonly timeoutMs: number;

  constructor(private readonly options: RingBackendOptions) {
    this.timeoutMs = options.commandTimeoutMs;
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
        sentinelCommandTimeout: 500,
        sentinelRetryStrategy: (times) => Math.min(100 * times, 1_000),
        retryStrategy: (times) => Math.min(50 * times, 250),
        reconnectOnError: (error) => error.message.startsWith('READONLY'),
        failoverDetector: true,
      });
      client.on('error', () => undefined);
      keepConnected(client, () => !this.closing);
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
    return withDeadline(this.clientFor(key).get(key), this.timeoutMs, 'GET');
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await withDeadline(this.clientFor(key).set(key, value, 'EX', ttlSeconds), this.timeoutMs, 'SET');
  }

  async del(keys: readonly string[]): Promise<void> {
    await withDeadline(Promise.all(keys.map((key) => this.clientFor(key).del(key))), this.timeoutMs, 'DEL');
  }

  /**
   * Per shard, its primary and replicas as the first answering Sentinel sees
   * them; the primary counts as up when this client is connected to it.
   */
  async nodes(): Promise<CacheNodeHealth[]> {
    for (const address of this.options.sentinels) {
      const sentinel = new Redis({
        ...hostPort(address), lazyConnect: true, connectTimeout: 500, commandTimeout: 500,
        maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
      });
      sentinel.on('error', () => undefined);
      try {
        await sentinel.connect();
        const out: CacheNodeHealth[] = [];
        for (const [shard, client] of this.clients) {
          const primary = await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', shard);
          const replicas = records(await sentinel.call('SENTINEL', 'REPLICAS', shard));
          if (Array.isArray(primary)) out.push({ shard, address: `${String(primary[0])}:${String(primary[1])}`, role: 'master', up: client.status === 'ready' });
          for (const r of replicas) {
            out.push({ shard, address: `${r.ip ?? '?'}:${r.port ?? '?'}`, role: 'replica', up: !/s_down|o_down|disconnected/.test(r.flags ?? '') });
          }
        }
        return out;
      } catch {
        // Ask the next sentinel.
      } finally {
        sentinel.disconnect();
      }
    }
    return [...this.clients.keys()].map((shard) => ({ shard, address: 'unknown (no sentinel answers)', role: 'unknown', up: false }) as const);
  }

  async close(): Promise<void> {
    this.closing = true;
    // QUIT lets replies in flight arrive; the disconnect() after it is what
    // closes the failover detector's Sentinel subscribers (ioredis tears
    // them down on disconnect, not on QUIT), which otherwise keep
    // reconnecting and keep the process alive.
    await Promise.all([...this.clients.values()].map(async (client) => {
      await client.quit().catch(() => undefined);
      client.disconnect();
    }));
  }
}
