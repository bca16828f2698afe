// The cache ring's servers are real: three shards, each a primary with a
// replica, and three Sentinels that agree on every shard's primary.
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { platformStatus } from '../../platform/src/index';
import { listOf, platformEnv } from '../setup/platform-env';

const env = platformEnv();

async function withClient<T>(options: RedisOptions, fn: (c: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

describe('redis sentinel ring', () => {
  it('runs 3 shards whose primary every Sentinel names alike, each with a replica online, as status() reports', async () => {
    expect(listOf(env.REDIS_RING_SHARDS)).toEqual(['cache-0', 'cache-1', 'cache-2']);
    expect(listOf(env.REDIS_SENTINELS)).toHaveLength(3);
    const status = await platformStatus(env);
    expect(status.cacheRing.healthy).toBe(true);
    expect(status.cacheRing.shards.map((s) => s.name)).toEqual(['cache-0', 'cache-1', 'cache-2']);
    for (const shard of status.cacheRing.shards) {
      expect(shard).toMatchObject({ primaryUp: true, primaryRole: 'master', sentinelsAgreeing: 3, sentinelsAnswering: 3 });
      expect(shard.replicas.filter((r) => r.online)).toHaveLength(1);
    }
    expect(status.rows.filter((r) => r.component.startsWith('cache ring '))).toHaveLength(3);
    expect(status.rows.filter((r) => r.component === 'redis-sentinel')).toHaveLength(3);
    // Six distinct servers: no shard shares a node with another.
    const nodes = status.cacheRing.shards.flatMap((s) => [s.primary, ...s.replicas.map((r) => r.address)]);
    expect(new Set(nodes).size).toBe(6);
  });

  it('reaches a shard by its Sentinel master name, and the shard\'s replica receives the write', async () => {
    const [sentinel] = listOf(env.REDIS_SENTINELS);
    const [host, port] = sentinel!.split(':');
    const key = `ring-probe:${randomUUID()}`;
    await withClient({ sentinels: [{ host: host!, port: Number(port) }], name: 'cache-1' }, async (primary) => {
      await primary.set(key, 'replicated', 'EX', 60);
      expect(await primary.call('ROLE').then((r) => (r as unknown[])[0])).toBe('master');
      await primary.call('WAIT', 1, 2000);
    });
    await withClient({ sentinels: [{ host: host!, port: Number(port) }], name: 'cache-1', role: 'slave' as const }, async (replica) => {
      expect(await replica.get(key)).toBe('replicated');
    });
  });
});
