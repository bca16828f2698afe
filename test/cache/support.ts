// Shared pieces of the cache integration tests: a fake database (the
// authority the loader reads), a load generator that records every
// getOrLoad outcome, and waits for the platform's cache servers to be
// healthy again after a test killed some.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Cache, CachePolicy } from '../../packages/cache/src/index';
import { probeRedisNode, redisClusterProblem } from '../../platform/src/components/redis-probe';
import { probeRing, ringProblem } from '../../platform/src/components/sentinel-probe';
import type { PlatformEnv } from '../../platform/src/index';
import { listOf } from '../setup/platform-env';

/** Per cache operation; a dead node must cost a request no more than this before the loader runs. */
export const COMMAND_TIMEOUT_MS = 250;
/** get (≤ timeout) + load + set (≤ timeout) + scheduling slack on a busy two-core machine. */
export const GET_OR_LOAD_BOUND_MS = 2 * COMMAND_TIMEOUT_MS + 500;

export const policy: CachePolicy = { ttlSeconds: 30, notFoundTtlSeconds: 5, schemaVersion: 1 };

/** The authority: versioned rows, a little latency, and a count of reads. */
export class FakeDb {
  private readonly rows = new Map<string, number>();
  reads = 0;

  version(key: string): number {
    return this.rows.get(key) ?? 0;
  }

  write(key: string): number {
    const next = this.version(key) + 1;
    this.rows.set(key, next);
    return next;
  }

  async read(key: string): Promise<{ key: string; version: number }> {
    this.reads += 1;
    await sleep(2);
    return { key, version: this.version(key) };
  }
}

export interface LoadResult {
  calls: number;
  rejected: number;
  /** Answers that were not a row of the asked key with a version the database has had. */
  wrong: number;
  maxMs: number;
  writes: number;
}

/**
 * `readers` loops of getOrLoad over `keys`, and one writer that updates a
 * key in the database and invalidates it, as a service would, until stop().
 */
export function startLoad(cache: Cache, keys: readonly string[], db: FakeDb, readers = 4): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { calls: 0, rejected: 0, wrong: 0, maxMs: 0, writes: 0 };
  let running = true;
  const reader = async (offset: number) => {
    for (let i = offset; running; i += 1) {
      const key = keys[i % keys.length]!;
      const started = Date.now();
      try {
        const row = await cache.getOrLoad(key, policy, () => db.read(key));
        if (row?.key !== key || row.version < 0 || row.version > db.version(key)) result.wrong += 1;
      } catch {
        result.rejected += 1;
      }
      result.calls += 1;
      result.maxMs = Math.max(result.maxMs, Date.now() - started);
      await sleep(5);
    }
  };
  const writer = async () => {
    for (let i = 0; running; i += 1) {
      const key = keys[i % keys.length]!;
      db.write(key);
      try {
        await cache.invalidate(key);
      } catch {
        result.rejected += 1;
      }
      result.writes += 1;
      await sleep(25);
    }
  };
  const loops = [...Array.from({ length: readers }, (_, i) => reader(i * 7)), writer()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/** Polls `fn` until it returns true; resolves with the time it took. */
export async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<number> {
  const started = Date.now();
  let last = '';
  for (;;) {
    try {
      if (await fn()) return Date.now() - started;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await sleep(intervalMs);
  }
}

export async function clusterProblem(env: PlatformEnv): Promise<string | undefined> {
  const nodes = await Promise.all(listOf(env.REDIS_CLUSTER_NODES).map((n) => probeRedisNode(n).catch(() => undefined)));
  if (nodes.some((n) => n === undefined)) return 'a cluster node is unreachable';
  return redisClusterProblem(nodes.filter((n) => n !== undefined), 3);
}

export async function ringProblemNow(env: PlatformEnv): Promise<string | undefined> {
  return ringProblem(await probeRing(listOf(env.REDIS_SENTINELS), listOf(env.REDIS_RING_SHARDS)));
}

/** After a test killed servers: wait until the topology could fail over again, as later tests expect. */
export async function awaitHealthy(env: PlatformEnv, topology: 'cluster' | 'ring', timeoutMs = 30_000): Promise<number> {
  return waitUntil(`healthy ${topology}`, async () => {
    const problem = topology === 'cluster' ? await clusterProblem(env) : await ringProblemNow(env);
    if (problem !== undefined) throw new Error(problem);
    return true;
  }, timeoutMs, 200);
}

/** A plain connection to one node, for looking behind the Cache's back. */
export function direct(address: string): Redis {
  const [host, port] = address.split(':');
  const client = new Redis({ host: host!, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  return client;
}

/** Runs `fn` with a direct connection and always closes it. */
export async function withDirect<T>(address: string, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = direct(address);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}
