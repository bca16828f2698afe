// The Cache's contract holds the same on both topologies, built the way the
// services build it: createCacheBackend from the platform env.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Cache, createCacheBackend, type CacheBackend } from '../../packages/cache/src/index';
import { listOf, platformEnv } from '../setup/platform-env';
import { COMMAND_TIMEOUT_MS, FakeDb, policy, waitUntil } from './support';

const env = platformEnv();
const backends: CacheBackend[] = [];

function backendFor(topology: 'cluster' | 'ring'): CacheBackend {
  const backend = createCacheBackend({
    topology,
    clusterNodes: listOf(env.REDIS_CLUSTER_NODES),
    sentinels: listOf(env.REDIS_SENTINELS),
    ringShards: listOf(env.REDIS_RING_SHARDS),
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
  });
  backends.push(backend);
  return backend;
}

/** Two service instances: separate clients, one shared Redis. */
async function twoInstances(topology: 'cluster' | 'ring', namespace: string): Promise<[Cache, Cache]> {
  const a = backendFor(topology);
  const b = backendFor(topology);
  // Clients connect in the background; until then commands fail fast (a miss), which would blur these tests.
  // Probe keys spread over every master/shard: each node's connection is up before a test counts loads.
  for (const backend of [a, b]) {
    await waitUntil(`${topology} client ready`, async () => {
      await Promise.all(Array.from({ length: 32 }, (_, i) => backend.set(`${namespace}:ready-probe-${i}`, '1', 5)));
      return true;
    }, 10_000);
  }
  return [new Cache(a, namespace), new Cache(b, namespace)];
}

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
});

describe.each(['cluster', 'ring'] as const)('Cache on the %s topology (createCacheBackend from the platform env)', (topology) => {
  it('lets one instance see another\'s invalidation: a value cached by A is served to B until A writes and invalidates', async () => {
    const [a, b] = await twoInstances(topology, `shared-${topology}`);
    const db = new FakeDb();
    const key = `event-${randomUUID()}`;
    db.write(key);
    expect(await a.getOrLoad(key, policy, () => db.read(key))).toEqual({ key, version: 1 });
    expect(await b.getOrLoad(key, policy, () => db.read(key))).toEqual({ key, version: 1 });
    expect(db.reads).toBe(1);

    db.write(key);
    await a.invalidate(key);
    expect(await b.getOrLoad(key, policy, () => db.read(key))).toEqual({ key, version: 2 });
    expect(await a.getOrLoad(key, policy, () => db.read(key))).toEqual({ key, version: 2 });
    expect(db.reads).toBe(2);
  });

  it('loads a key once for 50 concurrent misses in one instance (single flight over real Redis)', async () => {
    const [a] = await twoInstances(topology, `flight-${topology}`);
    const db = new FakeDb();
    const key = `hot-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 50 }, () => a.getOrLoad(key, policy, () => db.read(key))));
    expect(answers.every((x) => x?.key === key)).toBe(true);
    expect(db.reads).toBe(1);
  });

  it('remembers "not found" for notFoundTtlSeconds, then asks the database again', async () => {
    const [a] = await twoInstances(topology, `negative-${topology}`);
    const db = new FakeDb();
    const key = `missing-${randomUUID()}`;
    const lookup = () => a.getOrLoad(key, { ...policy, notFoundTtlSeconds: 1 }, async () => {
      await db.read(key);
      return undefined;
    });
    expect(await lookup()).toBeUndefined();
    expect(await lookup()).toBeUndefined();
    expect(db.reads).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await lookup()).toBeUndefined();
    expect(db.reads).toBe(2);
  });

  it('treats an entry written with an older schema version as a miss', async () => {
    const [a] = await twoInstances(topology, `schema-${topology}`);
    const key = `shape-${randomUUID()}`;
    await a.getOrLoad(key, policy, () => Promise.resolve({ old: true }));
    expect(await a.getOrLoad(key, { ...policy, schemaVersion: 2 }, () => Promise.resolve({ fresh: true }))).toEqual({ fresh: true });
  });

  it('reports its nodes with roles (3 masters, 3 replicas, all up) and a hit ratio in health()', async () => {
    const [a] = await twoInstances(topology, `health-${topology}`);
    const key = `h-${randomUUID()}`;
    await a.getOrLoad(key, policy, () => Promise.resolve(1));
    await a.getOrLoad(key, policy, () => Promise.resolve(1));
    const health = await a.health();
    expect(health.topology).toBe(topology);
    expect(health.nodes.filter((n) => n.role === 'master' && n.up)).toHaveLength(3);
    expect(health.nodes.filter((n) => n.role === 'replica' && n.up)).toHaveLength(3);
    if (topology === 'ring') expect(new Set(health.nodes.map((n) => n.shard))).toEqual(new Set(listOf(env.REDIS_RING_SHARDS)));
    expect(health.hitRatio).toBe(0.5);
  });
});
