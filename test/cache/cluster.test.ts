// The cache over the platform's real Redis Cluster (3 masters, 1 replica each,
// cluster-node-timeout 2 s): keys land on their slot's master, the client
// follows ASK and MOVED, and a SIGKILLed master costs requests time, never
// their answer.
import { randomUUID } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache, ClusterBackend, encode } from '../../packages/cache/src/index';
import { listOf, platformControl, platformEnv } from '../setup/platform-env';
import {
  awaitHealthy, COMMAND_TIMEOUT_MS, FakeDb, GET_OR_LOAD_BOUND_MS, policy, startLoad, waitUntil, withDirect,
} from './support';

const env = platformEnv();
const control = platformControl();

interface ClusterNode {
  id: string;
  address: string;
  master: boolean;
  /** For a replica: its master's id. */
  masterId: string;
  slots: Array<[number, number]>;
  failed: boolean;
}

async function clusterNodes(backend: ClusterBackend): Promise<ClusterNode[]> {
  const text = String(await backend.client.call('CLUSTER', 'NODES'));
  return text.trim().split('\n').map((line) => {
    const f = line.split(' ');
    return {
      id: f[0]!,
      address: f[1]!.split('@')[0]!,
      master: f[2]!.includes('master'),
      masterId: f[3]!,
      failed: f[2]!.includes('fail'),
      slots: f.slice(8).filter((r) => !r.startsWith('[')).map((r) => {
        const [from, to] = r.split('-').map(Number);
        return [from!, to ?? from!] as [number, number];
      }),
    };
  });
}

function owner(nodes: ClusterNode[], slot: number): ClusterNode {
  const found = nodes.find((n) => n.master && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b));
  if (!found) throw new Error(`no live master owns slot ${slot} in ${JSON.stringify(nodes)}`);
  return found;
}

/** `count` keys under `prefix` whose slots the given master owns. */
function keysOwnedBy(node: ClusterNode, prefix: string, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i += 1) {
    const key = `${prefix}${i}`;
    const slot = calculateSlot(`cluster-test:${key}`);
    if (node.slots.some(([a, b]) => slot >= a && slot <= b)) keys.push(key);
  }
  return keys;
}

/** Moves every key of `slot` from one master to another and hands the slot over (CLUSTER SETSLOT ... NODE). */
async function finishMigration(slot: number, from: ClusterNode, to: ClusterNode, all: ClusterNode[]): Promise<void> {
  const [host, port] = to.address.split(':');
  await withDirect(from.address, async (source) => {
    for (;;) {
      const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', slot, 100)) as string[];
      if (keys.length === 0) break;
      await source.call('MIGRATE', host!, port!, '', 0, 5000, 'KEYS', ...keys);
    }
  });
  // The new owner first, so it never refuses the slot it is being given.
  await withDirect(to.address, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id));
  for (const master of all.filter((n) => n.master && n.id !== to.id)) {
    await withDirect(master.address, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id));
  }
}

let backend: ClusterBackend;
let cache: Cache;

beforeAll(async () => {
  // The slot map is only refreshed by redirects here, so a test can see a stale map being corrected.
  backend = new ClusterBackend({ nodes: listOf(env.REDIS_CLUSTER_NODES), commandTimeoutMs: COMMAND_TIMEOUT_MS, slotsRefreshIntervalMs: 60_000 });
  cache = new Cache(backend, 'cluster-test');
  await waitUntil('cluster client ready', () => Promise.resolve(backend.client.status === 'ready'), 10_000);
});

afterAll(async () => {
  await backend.close();
});

describe('cache over Redis Cluster', () => {
  it('stores a value cached through Cache on the master that owns its hash slot, and no other master holds it', async () => {
    const key = `owned-${randomUUID()}`;
    const value = await cache.getOrLoad(key, policy, () => Promise.resolve({ id: key }));
    expect(value).toEqual({ id: key });

    const nodes = await clusterNodes(backend);
    const slot = calculateSlot(`cluster-test:${key}`);
    expect(Number(await backend.client.call('CLUSTER', 'KEYSLOT', `cluster-test:${key}`))).toBe(slot);
    const slotOwner = owner(nodes, slot);
    expect(await withDirect(slotOwner.address, (c) => c.get(`cluster-test:${key}`))).toBe(encode({ id: key }, policy.schemaVersion));
    for (const other of nodes.filter((n) => n.master && n.id !== slotOwner.id)) {
      await expect(withDirect(other.address, (c) => c.get(`cluster-test:${key}`))).rejects.toThrow(new RegExp(`^MOVED ${slot} ${slotOwner.address}$`));
    }
  });

  it('follows ASK while a slot migrates and MOVED once it has moved, serving the cached value without reloading', async () => {
    const key = `migrating-${randomUUID()}`;
    let loads = 0;
    const load = () => {
      loads += 1;
      return Promise.resolve({ id: key });
    };
    await cache.getOrLoad(key, policy, load);
    const fullKey = `cluster-test:${key}`;
    const slot = calculateSlot(fullKey);
    const nodes = await clusterNodes(backend);
    const from = owner(nodes, slot);
    const to = nodes.find((n) => n.master && n.id !== from.id)!;
    expect(backend.client.slots[slot]?.[0]).toBe(from.address);

    try {
      // Migration in progress: the key already sits on the target, the slot still belongs to the source.
      await withDirect(to.address, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id));
      await withDirect(from.address, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id));
      const [host, port] = to.address.split(':');
      await withDirect(from.address, (c) => c.call('MIGRATE', host!, port!, fullKey, 0, 5000));
      await expect(withDirect(from.address, (c) => c.get(fullKey))).rejects.toThrow(/^ASK /);
      expect(await cache.getOrLoad(key, policy, load)).toEqual({ id: key });
      // ASK is a one-off redirect: the client's map still names the source.
      expect(backend.client.slots[slot]?.[0]).toBe(from.address);

      await finishMigration(slot, from, to, nodes);
      await expect(withDirect(from.address, (c) => c.get(fullKey))).rejects.toThrow(/^MOVED /);
      expect(await cache.getOrLoad(key, policy, load)).toEqual({ id: key });
      // MOVED corrected the map.
      expect(backend.client.slots[slot]?.[0]).toBe(to.address);
      expect(loads).toBe(1);
      expect(cache.stats().errors).toBe(0);
    } finally {
      // Put the slot back so the layout stays even for later tests.
      const now = await clusterNodes(backend);
      const current = owner(now, slot);
      const original = now.find((n) => n.id === from.id)!;
      if (current.id !== original.id) {
        await withDirect(original.address, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', current.id));
        await withDirect(current.address, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', original.id));
        await finishMigration(slot, current, original, now);
      } else {
        // Migration states left by a failure half-way.
        for (const node of now.filter((n) => n.master)) await withDirect(node.address, (c) => c.call('CLUSTER', 'SETSLOT', slot, 'STABLE'));
      }
    }
  });

  it(
    'keeps answering while a SIGKILLed master fails over: no getOrLoad rejects or waits past its bound, '
    + 'writes to its slots resume on the promoted replica, and the restarted node rejoins as a replica',
    async () => {
      const nodes = await clusterNodes(backend);
      const victim = owner(nodes, calculateSlot('cluster-test:failover-probe'));
      const heir = nodes.find((n) => !n.master && n.masterId === victim.id);
      expect(heir, 'the victim has a replica').toBeDefined();
      const keys = keysOwnedBy(victim, 'failover-', 24);
      const db = new FakeDb();
      for (const key of keys) await cache.getOrLoad(key, policy, () => db.read(key));

      const load = startLoad(cache, keys, db);
      let recoveredAfterMs = -1;
      try {
        await new Promise((r) => setTimeout(r, 300));
        const killedAt = Date.now();
        await control.kill(`redis-${victim.address.split(':')[1]}`);
        // Writes to the victim's slots succeed again once its replica is promoted and the client follows.
        await waitUntil('a write to the dead master\'s slots', async () => {
          await backend.set('cluster-test:failover-probe', 'after', 30);
          return true;
        }, 20_000, 25);
        recoveredAfterMs = Date.now() - killedAt;
        // Keep the load running a little on the new master.
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        const result = await load.stop();
        process.stderr.write(`[cluster failover] writes resumed ${recoveredAfterMs} ms after SIGKILL; ${JSON.stringify(result)}\n`);
        expect(result.rejected).toBe(0);
        expect(result.wrong).toBe(0);
        expect(result.maxMs).toBeLessThan(GET_OR_LOAD_BOUND_MS);
        expect(result.calls).toBeGreaterThan(100);
      }
      expect(recoveredAfterMs).toBeGreaterThan(1000);

      // The promoted replica owns the slots now and holds what the Cache writes.
      const after = await clusterNodes(backend);
      const promoted = owner(after, calculateSlot('cluster-test:failover-probe'));
      expect(promoted.id).toBe(heir!.id);
      expect(await withDirect(promoted.address, (c) => c.get('cluster-test:failover-probe'))).toBe('after');
      // A write after the failover is read back by a read after it: the invalidation reached the new master.
      const key = keys[0]!;
      const version = db.write(key);
      await cache.invalidate(key);
      expect(await cache.getOrLoad(key, policy, () => db.read(key))).toEqual({ key, version });
      expect(await withDirect(promoted.address, (c) => c.get(`cluster-test:${key}`))).toBe(encode({ key, version }, policy.schemaVersion));
      const health = await cache.health();
      expect(health.nodes.find((n) => n.address === victim.address)).toMatchObject({ up: false });
      expect(health.nodes.find((n) => n.address === promoted.address)).toMatchObject({ role: 'master', up: true });

      // Back through the platform's supervisor, with its nodes.conf: the old master rejoins as the new one's replica.
      await control.restart(`redis-${victim.address.split(':')[1]}`);
      const took = await awaitHealthy(env, 'cluster');
      process.stderr.write(`[cluster failover] cluster healthy again ${took} ms after the restart\n`);
      const rejoined = (await clusterNodes(backend)).find((n) => n.id === victim.id)!;
      expect(rejoined).toMatchObject({ master: false, masterId: promoted.id, failed: false });
    },
    60_000,
  );

  afterAll(async () => {
    // Whatever failed above: every killed node back, the cluster whole again for later tests.
    for (const p of (await control.processes()).filter((p) => p.name.startsWith('redis-') && !p.running)) await control.restart(p.name);
    await awaitHealthy(env, 'cluster');
  });
});
