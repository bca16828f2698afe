// The cache over the platform's real Sentinel ring (3 shards, each a primary
// and a replica; 3 Sentinels, quorum 2, down-after 2 s): keys land on the
// shard the ketama ring names, a SIGKILLed primary is replaced by its
// promoted replica without a failed request, and with every node down the
// cache is only slower.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache, createRing, encode, RingBackend } from '../../packages/cache/src/index';
import { sentinelPrimary } from '../../platform/src/components/sentinel-probe';
import { listOf, platformControl, platformEnv } from '../setup/platform-env';
import {
  awaitHealthy, COMMAND_TIMEOUT_MS, FakeDb, GET_OR_LOAD_BOUND_MS, policy, startLoad, waitUntil, withDirect,
} from './support';

const env = platformEnv();
const control = platformControl();
const sentinels = listOf(env.REDIS_SENTINELS);
const shards = listOf(env.REDIS_RING_SHARDS);
const ring = createRing(shards);

let backend: RingBackend;
let cache: Cache;

async function primaryOf(shard: string): Promise<string> {
  const primary = await sentinelPrimary(sentinels, shard);
  if (primary === undefined) throw new Error(`no sentinel names a primary for ${shard}`);
  return primary;
}

const portOf = (address: string) => address.split(':')[1]!;

beforeAll(async () => {
  backend = new RingBackend({ shards: shards.map((name) => ({ name })), sentinels, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  cache = new Cache(backend, 'ring-test');
  // Every shard client connected (a first command while connecting fails fast, by design).
  await waitUntil('ring clients ready', async () => (await backend.nodes()).filter((n) => n.role === 'master').every((n) => n.up), 10_000);
});

afterAll(async () => {
  await backend.close();
});

describe('cache over the Sentinel ring', () => {
  it('stores each key on the primary of the shard the ketama ring names, spreading keys over all three shards', async () => {
    const run = randomUUID().slice(0, 8);
    const keys = Array.from({ length: 3000 }, (_, i) => `spread-${run}-${i}`);
    // 50 at a time: this test is about placement, not about a 250 ms deadline under a burst of 6,000 commands.
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => cache.getOrLoad(key, policy, () => Promise.resolve({ key }))));
    }
    expect(cache.stats().errors).toBe(0);

    const expected = new Map<string, number>(shards.map((s) => [s, 0]));
    for (const key of keys) expected.set(ring.get(`ring-test:${key}`), (expected.get(ring.get(`ring-test:${key}`)) ?? 0) + 1);
    for (const shard of shards) {
      const stored = await withDirect(await primaryOf(shard), async (c) => {
        let cursor = '0';
        let count = 0;
        do {
          const [next, found] = await c.scan(cursor, 'MATCH', `ring-test:spread-${run}-*`, 'COUNT', 1000);
          cursor = next;
          count += found.length;
        } while (cursor !== '0');
        return count;
      });
      expect(stored, `keys on ${shard}`).toBe(expected.get(shard));
      expect(stored / keys.length).toBeGreaterThan(0.25);
      expect(stored / keys.length).toBeLessThan(0.42);
    }
    // And the bytes are the Cache's versioned envelope.
    const sample = keys[0]!;
    expect(await withDirect(await primaryOf(ring.get(`ring-test:${sample}`)), (c) => c.get(`ring-test:${sample}`))).toBe(encode({ key: sample }, policy.schemaVersion));
  });

  it(
    'keeps answering while a SIGKILLed shard primary fails over: Sentinel promotes the replica, the client follows, '
    + 'no getOrLoad rejects or waits past its bound, and the restarted node rejoins as a replica',
    async () => {
      const probeKey = 'failover-probe';
      const shard = ring.get(`ring-test:${probeKey}`);
      const victim = await primaryOf(shard);
      const keys: string[] = [];
      for (let i = 0; keys.length < 24; i += 1) if (ring.get(`ring-test:failover-${i}`) === shard) keys.push(`failover-${i}`);
      const db = new FakeDb();
      for (const key of keys) await cache.getOrLoad(key, policy, () => db.read(key));

      const load = startLoad(cache, keys, db);
      let recoveredAfterMs = -1;
      try {
        await new Promise((r) => setTimeout(r, 300));
        const killedAt = Date.now();
        await control.kill(`ring-redis-${portOf(victim)}`);
        await waitUntil('a write to the dead primary\'s shard', async () => {
          await backend.set(`ring-test:${probeKey}`, 'after', 30);
          return true;
        }, 30_000, 25);
        recoveredAfterMs = Date.now() - killedAt;
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        const result = await load.stop();
        process.stderr.write(`[ring failover] writes resumed ${recoveredAfterMs} ms after SIGKILL; ${JSON.stringify(result)}\n`);
        expect(result.rejected).toBe(0);
        expect(result.wrong).toBe(0);
        expect(result.maxMs).toBeLessThan(GET_OR_LOAD_BOUND_MS);
        expect(result.calls).toBeGreaterThan(100);
      }
      expect(recoveredAfterMs).toBeGreaterThan(1000);

      const promoted = await primaryOf(shard);
      expect(promoted).not.toBe(victim);
      expect(await withDirect(promoted, (c) => c.get(`ring-test:${probeKey}`))).toBe('after');
      expect(await withDirect(promoted, (c) => c.call('ROLE')) as unknown[]).toContain('master');
      const key = keys[0]!;
      const version = db.write(key);
      await cache.invalidate(key);
      expect(await cache.getOrLoad(key, policy, () => db.read(key))).toEqual({ key, version });
      const nodes = (await cache.health()).nodes.filter((n) => n.shard === shard);
      expect(nodes).toContainEqual({ shard, address: promoted, role: 'master', up: true });
      expect(nodes).toContainEqual({ shard, address: victim, role: 'replica', up: false });

      // Back through the supervisor: it asks Sentinel first and rejoins as the promoted node's replica.
      await control.restart(`ring-redis-${portOf(victim)}`);
      const took = await awaitHealthy(env, 'ring');
      process.stderr.write(`[ring failover] ring healthy again ${took} ms after the restart\n`);
      const role = await withDirect(victim, (c) => c.call('ROLE')) as unknown[];
      expect(role[0]).toBe('slave');
      expect(`${String(role[1])}:${String(role[2])}`).toBe(promoted);
    },
    60_000,
  );

  it(
    'follows a Sentinel failover whose old primary stays alive (SENTINEL FAILOVER): writes land on the promoted node, none on the demoted one',
    async () => {
      const probeKey = 'switch-probe';
      const shard = ring.get(`ring-test:${probeKey}`);
      const before = await primaryOf(shard);
      // Connected to the current primary first, so the client has something to move away from.
      await waitUntil('a write before the failover', async () => {
        await backend.set(`ring-test:${probeKey}`, 'before', 30);
        return true;
      }, 10_000);
      const startedAt = Date.now();
      await withDirect(sentinels[0]!, (c) => c.call('SENTINEL', 'FAILOVER', shard));
      const after = await waitUntil('Sentinel to name a new primary', async () => (await primaryOf(shard)) !== before, 30_000, 100).then(() => primaryOf(shard));
      // Every write after the switch must reach the new primary: poll with fresh values until one is read back there.
      let value = '';
      await waitUntil('a write to the promoted primary', async () => {
        value = `after-${Date.now()}`;
        await backend.set(`ring-test:${probeKey}`, value, 30).catch(() => undefined);
        return (await withDirect(after, (c) => c.get(`ring-test:${probeKey}`))) === value;
      }, 30_000, 50);
      process.stderr.write(`[ring manual failover] writes reach the promoted node ${Date.now() - startedAt} ms after SENTINEL FAILOVER\n`);
      // Sentinel demotes the old primary a moment after it announced the switch.
      await waitUntil('the old primary to be demoted', async () => ((await withDirect(before, (c) => c.call('ROLE'))) as unknown[])[0] === 'slave', 15_000, 100);
      // The client keeps writing to the new primary afterwards (it did not fall back to the old address).
      await new Promise((r) => setTimeout(r, 1_500));
      const later = `later-${Date.now()}`;
      await backend.set(`ring-test:${probeKey}`, later, 30);
      expect(await withDirect(after, (c) => c.get(`ring-test:${probeKey}`))).toBe(later);
      await awaitHealthy(env, 'ring');
    },
    60_000,
  );

  it(
    'answers every getOrLoad from the loader within its bound while every shard node and every Sentinel is down, and caches again once they are back',
    async () => {
      const all = (await control.processes()).filter((p) => p.name.startsWith('ring-redis-') || p.name.startsWith('sentinel-'));
      expect(all).toHaveLength(9);
      await Promise.all(all.map((p) => control.kill(p.name)));
      try {
        const db = new FakeDb();
        const run = randomUUID().slice(0, 8);
        for (let i = 0; i < 30; i += 1) {
          const key = `down-${run}-${i}`;
          const started = Date.now();
          expect(await cache.getOrLoad(key, policy, () => db.read(key))).toEqual({ key, version: 0 });
          expect(Date.now() - started).toBeLessThan(GET_OR_LOAD_BOUND_MS);
          await cache.invalidate(key);
        }
        expect(db.reads).toBe(30);
        expect((await cache.health()).nodes.every((n) => !n.up)).toBe(true);
      } finally {
        // Shard nodes first (their configs, as Sentinel last rewrote them, hold the topology), then the Sentinels.
        for (const p of all.filter((p) => p.name.startsWith('ring-redis-'))) await control.restart(p.name);
        for (const p of all.filter((p) => p.name.startsWith('sentinel-'))) await control.restart(p.name);
      }
      const took = await awaitHealthy(env, 'ring');
      process.stderr.write(`[ring all down] ring healthy again ${took} ms after the restart\n`);
      // The clients reconnect on their own; then a value is cached again.
      await waitUntil('ring clients reconnected', async () => (await backend.nodes()).filter((n) => n.role === 'master').every((n) => n.up), 15_000, 100);
      const db = new FakeDb();
      const key = `back-${randomUUID()}`;
      await cache.getOrLoad(key, policy, () => db.read(key));
      await cache.getOrLoad(key, policy, () => db.read(key));
      expect(db.reads).toBe(1);
    },
    60_000,
  );

  it('lets its process exit once closed: no shard client or Sentinel subscriber is left connected', async () => {
    const probe = fileURLToPath(new URL('./ring-close-probe.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', probe, sentinels.join(','), shards.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const exited = await new Promise<number | null | 'alive'>((resolve) => {
      const timer = setTimeout(() => resolve('alive'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    if (exited === 'alive') child.kill('SIGKILL');
    expect(output).toContain('closed');
    expect(exited, output).toBe(0);
  }, 30_000);

  afterAll(async () => {
    // Whatever failed above: every killed ring process back, the ring able to fail over again.
    const dead = (await control.processes()).filter((p) => !p.running && (p.name.startsWith('ring-redis-') || p.name.startsWith('sentinel-')));
    for (const p of dead.sort((a, b) => a.name.localeCompare(b.name))) await control.restart(p.name);
    await awaitHealthy(env, 'ring');
  });
});
