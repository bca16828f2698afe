// npm run bench:cache [-- --trials N --base-port P]
//
// For both cache topologies, on 100,000 keys: the share of keys per node and
// its coefficient of variation, the fraction of keys that move when a node is
// added or removed, and the time from SIGKILL of a master (cluster) or shard
// primary (ring) until writes to its keys succeed again. It starts its own
// cache-only platform (both topologies, base port 10000, data in
// .data/bench-cache), and stops and removes it at the end. Base 10000 keeps
// it clear of `npm run bench` (18000s) and the test platforms, and its
// cluster bus ports (+10000) below Linux's ephemeral range.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { ClusterBackend, createRing, RingBackend, type CacheBackend } from '../packages/cache/src/index';
import { CLUSTER_NODE_TIMEOUT_MS } from '../platform/src/components/redis-cluster';
import { probeRedisNode, redisClusterProblem } from '../platform/src/components/redis-probe';
import { SENTINEL_DOWN_AFTER_MS, SENTINEL_FAILOVER_TIMEOUT_MS, SENTINEL_QUORUM } from '../platform/src/components/redis-sentinel-ring';
import { probeRing, ringProblem, sentinelPrimary } from '../platform/src/components/sentinel-probe';
import { repoRoot, startPlatform, type PlatformHandle } from '../platform/src/index';

const { values } = parseArgs({ options: { 'trials': { type: 'string', default: '3' }, 'base-port': { type: 'string' } } });
const TRIALS = Number(values.trials);
const BASE_PORT = Number(values['base-port'] ?? process.env.ETICKET_BENCH_BASE_PORT ?? 10000);
const KEY_COUNT = 100_000;
const SLOTS = 16_384;
const dataDir = join(repoRoot, '.data', 'bench-cache');
const keys = Array.from({ length: KEY_COUNT }, (_, i) => `bench:${i}`);

const say = (line = '') => process.stdout.write(`${line}\n`);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const int = (x: number) => x.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Population coefficient of variation: standard deviation over mean. */
function cv(counts: number[]): number {
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const variance = counts.reduce((sum, c) => sum + (c - mean) ** 2, 0) / counts.length;
  return Math.sqrt(variance) / mean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function withClient<T>(address: string, fn: (c: Redis) => Promise<T>): Promise<T> {
  const [host, port] = address.split(':');
  const client = new Redis({ host: host!, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

// ---------------------------------------------------------------- cluster

interface SlotMap {
  /** slot → master address */
  owner: string[];
  /** master address → its replica's address */
  replicaOf: Map<string, string>;
}

async function slotMap(seed: string): Promise<SlotMap> {
  const reply = await withClient(seed, (c) => c.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number], ...Array<[string, number]>]>;
  const owner = new Array<string>(SLOTS).fill('');
  const replicaOf = new Map<string, string>();
  for (const [from, to, master, ...replicas] of reply) {
    const address = `${master[0]}:${master[1]}`;
    for (let s = from; s <= to; s += 1) owner[s] = address;
    if (replicas[0]) replicaOf.set(address, `${replicas[0][0]}:${replicas[0][1]}`);
  }
  if (owner.some((o) => o === '')) throw new Error('CLUSTER SLOTS leaves slots unassigned');
  return { owner, replicaOf };
}

/**
 * Redis Cluster moves slots, not keys, and only when told to. The fraction of
 * keys that move is that of the keys in reassigned slots, for the slot moves
 * of an even rebalance (what `redis-cli --cluster rebalance` aims at):
 * - add a 4th master: each master hands the slots above 16384/4 (its highest
 *   ones) to the new master;
 * - remove a master: its slots are split between the others, half each.
 */
function clusterMoves(map: SlotMap, keySlots: Int16Array): { added: number; removed: number; removedNode: string } {
  const masters = [...new Set(map.owner)].sort();
  const target = Math.ceil(SLOTS / (masters.length + 1));
  const afterAdd = [...map.owner];
  for (const master of masters) {
    const slots = afterAdd.flatMap((o, s) => (o === master ? [s] : []));
    for (const s of slots.slice(target)) afterAdd[s] = 'new';
  }
  const removedNode = masters[masters.length - 1]!;
  const remaining = masters.filter((m) => m !== removedNode);
  const afterRemove = [...map.owner];
  const orphaned = afterRemove.flatMap((o, s) => (o === removedNode ? [s] : []));
  orphaned.forEach((s, i) => (afterRemove[s] = remaining[Math.floor((i * remaining.length) / orphaned.length)]!));
  let added = 0;
  let removed = 0;
  for (const slot of keySlots) {
    if (afterAdd[slot] !== map.owner[slot]) added += 1;
    if (afterRemove[slot] !== map.owner[slot]) removed += 1;
  }
  return { added: added / KEY_COUNT, removed: removed / KEY_COUNT, removedNode };
}

// ---------------------------------------------------------------- failover

interface Trial {
  victim: string;
  promotedMs: number;
  writesMs: number;
}

/** Writes to `key` every 10 ms; SIGKILLs `victim`; times the heir's promotion and the first successful write. */
async function timeFailover(platform: PlatformHandle, backend: CacheBackend, key: string, victim: string, victimName: string, heir: string): Promise<Trial> {
  for (let i = 0; ; i += 1) {
    try {
      await backend.set(key, 'before', 60);
      break;
    } catch (error) {
      if (i > 100) throw error;
      await sleep(50);
    }
  }
  const killedAt = Date.now();
  await platform.kill(victimName);
  let promotedMs = -1;
  const promotion = (async () => {
    while (Date.now() - killedAt < 60_000) {
      const role = await withClient(heir, (c) => c.call('ROLE')).catch(() => undefined) as unknown[] | undefined;
      if (role?.[0] === 'master') {
        promotedMs = Date.now() - killedAt;
        return;
      }
      await sleep(20);
    }
  })();
  let writesMs = -1;
  while (Date.now() - killedAt < 60_000) {
    try {
      await backend.set(key, 'after', 60);
      writesMs = Date.now() - killedAt;
      break;
    } catch {
      await sleep(10);
    }
  }
  await promotion;
  return { victim, promotedMs, writesMs };
}

async function waitHealthy(what: string, problem: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const p = await problem().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (p === undefined) return;
    if (Date.now() > deadline) throw new Error(`${what} not healthy after 60 s: ${p}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  say(`E-Ticket cache benchmark: ${int(KEY_COUNT)} keys, ${TRIALS} failover trial(s) per topology, platform on base port ${BASE_PORT}`);
  const platform = await startPlatform({ dataDir, fresh: true, basePort: BASE_PORT, cacheTopology: 'both', cacheOnly: true, log: (l) => say(`  [platform] ${l}`) });
  const clusterNodes = platform.env.REDIS_CLUSTER_NODES.split(',');
  const sentinels = platform.env.REDIS_SENTINELS.split(',');
  const shards = platform.env.REDIS_RING_SHARDS.split(',');
  const clusterProblem = async () => redisClusterProblem(await Promise.all(clusterNodes.map((n) => probeRedisNode(n))), 3);
  const ringProblemNow = async () => ringProblem(await probeRing(sentinels, shards));
  const cluster = new ClusterBackend({ nodes: clusterNodes, commandTimeoutMs: 250 });
  const ringBackend = new RingBackend({ shards: shards.map((name) => ({ name })), sentinels, commandTimeoutMs: 250 });
  try {
    // ---- distribution
    const map = await slotMap(clusterNodes[0]!);
    const keySlots = Int16Array.from(keys, (k) => calculateSlot(k));
    const clusterCounts = new Map<string, number>([...new Set(map.owner)].sort().map((m) => [m, 0]));
    for (const slot of keySlots) clusterCounts.set(map.owner[slot]!, (clusterCounts.get(map.owner[slot]!) ?? 0) + 1);

    const ring = createRing(shards);
    const ringCounts = new Map<string, number>(shards.map((s) => [s, 0]));
    for (const key of keys) ringCounts.set(ring.get(key), (ringCounts.get(ring.get(key)) ?? 0) + 1);

    // Check the computed placement against the servers: write every key through each topology's client, count per node.
    await waitHealthy('cluster', clusterProblem);
    await waitHealthy('ring', ringProblemNow);
    const bulkCluster = new ClusterBackend({ nodes: clusterNodes, commandTimeoutMs: 5000 });
    const bulkRing = new RingBackend({ shards: shards.map((name) => ({ name })), sentinels, commandTimeoutMs: 5000 });
    await sleep(500);
    const writeStarted = Date.now();
    await mapLimit(keys, 200, (k) => bulkCluster.set(k, '1', 600));
    await mapLimit(keys, 200, (k) => bulkRing.set(k, '1', 600));
    const writeMs = Date.now() - writeStarted;
    await bulkCluster.close();
    await bulkRing.close();
    const dbsize = (address: string) => withClient(address, (c) => c.dbsize());
    const ringPrimaries = new Map<string, string>();
    for (const shard of shards) ringPrimaries.set(shard, (await sentinelPrimary(sentinels, shard)) ?? '?');

    const rows: string[][] = [];
    const addRows = (topology: string, counts: Map<string, number>, label: (node: string) => string, stored: number[]) => {
      [...counts].forEach(([node, count], i) => {
        rows.push([i === 0 ? topology : '', label(node), int(count), pct(count / KEY_COUNT), int(stored[i]!), stored[i] === count ? 'yes' : 'NO']);
      });
    };
    const clusterStored = await Promise.all([...clusterCounts.keys()].map(dbsize));
    const ringStored = await Promise.all(shards.map((s) => dbsize(ringPrimaries.get(s)!)));
    addRows('cluster', clusterCounts, (m) => `master ${m}`, clusterStored);
    addRows('ring', ringCounts, (s) => `${s} (primary ${ringPrimaries.get(s)})`, ringStored);
    const clusterCv = cv([...clusterCounts.values()]);
    const ringCv = cv([...ringCounts.values()]);

    say();
    say(`1. Keys per node (${int(KEY_COUNT)} keys "bench:0".."bench:${KEY_COUNT - 1}")`);
    say('   cluster: slot = CRC16(key) mod 16384 (cluster-key-slot), owner from CLUSTER SLOTS; ring: hashring ketama, 320 vnodes per shard.');
    say(`   "stored" = DBSIZE of that node after writing every key through ClusterBackend / RingBackend (${secs(writeMs)} for ${int(2 * KEY_COUNT)} SETs).`);
    say(table(['topology', 'node', 'keys', 'share', 'stored', 'match'], rows));
    say();
    say(table(['topology', 'coefficient of variation', 'target', 'verdict'], [
      ['cluster', clusterCv.toFixed(4), '(none; ring target ≤ 0.05)', clusterCv <= 0.05 ? 'ok' : 'above 0.05'],
      ['ring', ringCv.toFixed(4), '≤ 0.05', ringCv <= 0.05 ? 'ok' : 'FAILS'],
    ]));

    // ---- movement
    const moves = clusterMoves(map, keySlots);
    const ring4 = createRing([...shards, 'cache-3']);
    const ring2 = createRing(shards.slice(0, -1));
    let ringAdded = 0;
    let ringRemoved = 0;
    for (const key of keys) {
      const before = ring.get(key);
      if (ring4.get(key) !== before) ringAdded += 1;
      if (ring2.get(key) !== before) ringRemoved += 1;
    }
    const modN = (key: string, n: number) => createHash('md5').update(key).digest().readUInt32BE(0) % n;
    let modAdded = 0;
    let modRemoved = 0;
    for (const key of keys) {
      if (modN(key, 3) !== modN(key, 4)) modAdded += 1;
      if (modN(key, 3) !== modN(key, 2)) modRemoved += 1;
    }
    const verdict = (x: number, n: number) => (x <= 1.2 / n ? 'ok' : 'FAILS');
    say();
    say('2. Keys that move when a node is added (3 → 4) or removed (3 → 2); target ≤ 1.2/N, N = nodes in the larger ring');
    say('   cluster: slots of an even rebalance — adding: each master hands its slots above 4096 (its highest) to the new master;');
    say(`            removing ${moves.removedNode}: its slots are split between the two others. Moved = keys in reassigned slots.`);
    say('   ring:    the same 100,000 keys looked up on a ring with cache-3 added, and on one without cache-2.');
    say(table(['topology', 'change', 'moved keys', 'fraction', 'ideal 1/N', 'target 1.2/N', 'verdict'], [
      ['cluster', 'add a 4th master', int(Math.round(moves.added * KEY_COUNT)), moves.added.toFixed(4), (1 / 4).toFixed(4), (1.2 / 4).toFixed(4), verdict(moves.added, 4)],
      ['cluster', 'remove a master', int(Math.round(moves.removed * KEY_COUNT)), moves.removed.toFixed(4), (1 / 3).toFixed(4), (1.2 / 3).toFixed(4), verdict(moves.removed, 3)],
      ['ring', 'add cache-3', int(ringAdded), (ringAdded / KEY_COUNT).toFixed(4), (1 / 4).toFixed(4), (1.2 / 4).toFixed(4), verdict(ringAdded / KEY_COUNT, 4)],
      ['ring', 'remove cache-2', int(ringRemoved), (ringRemoved / KEY_COUNT).toFixed(4), (1 / 3).toFixed(4), (1.2 / 3).toFixed(4), verdict(ringRemoved / KEY_COUNT, 3)],
      ['(mod-N hash)', 'add a 4th node', int(modAdded), (modAdded / KEY_COUNT).toFixed(4), '', '', 'for contrast'],
      ['(mod-N hash)', 'remove a node', int(modRemoved), (modRemoved / KEY_COUNT).toFixed(4), '', '', 'for contrast'],
    ]));

    // ---- failover
    say();
    say(`3. SIGKILL of a master / shard primary until writes to its keys succeed again (${TRIALS} trial(s) each)`);
    say(`   cluster-node-timeout ${CLUSTER_NODE_TIMEOUT_MS} ms; Sentinel down-after-milliseconds ${SENTINEL_DOWN_AFTER_MS} ms, failover-timeout ${SENTINEL_FAILOVER_TIMEOUT_MS} ms, quorum ${SENTINEL_QUORUM}.`);
    say('   A writer SETs one key of the victim every 10 ms through the Cache backend (250 ms deadline per command).');
    say('   "promoted" = the replica answers ROLE master; "writes ok" = first successful SET after the kill, as the service sees it.');
    const trials: Array<{ topology: string } & Trial> = [];
    for (let t = 0; t < TRIALS; t += 1) {
      const key = `failover:cluster:${t}`;
      const now = await slotMap(clusterNodes[(t + 1) % clusterNodes.length]!);
      const victim = now.owner[calculateSlot(key)]!;
      const trial = await timeFailover(platform, cluster, key, victim, `redis-${victim.split(':')[1]}`, now.replicaOf.get(victim)!);
      trials.push({ topology: 'cluster', ...trial });
      await platform.restart(`redis-${victim.split(':')[1]}`);
      await waitHealthy('cluster', clusterProblem);
    }
    for (let t = 0; t < TRIALS; t += 1) {
      const key = `failover:ring:${t}`;
      const shard = ringBackend.shardOf(key);
      const victim = (await sentinelPrimary(sentinels, shard))!;
      const probe = await probeRing(sentinels, [shard]);
      const heir = probe.shards[0]!.replicas.find((r) => r.online)!.address;
      const trial = await timeFailover(platform, ringBackend, key, victim, `ring-redis-${victim.split(':')[1]}`, heir);
      trials.push({ topology: 'ring', ...trial });
      await platform.restart(`ring-redis-${victim.split(':')[1]}`);
      await waitHealthy('ring', ringProblemNow);
    }
    say(table(['topology', 'trial', 'killed', 'promoted', 'writes ok'], trials.map((t, i) => [
      t.topology, String((i % TRIALS) + 1), t.victim, t.promotedMs < 0 ? 'never' : secs(t.promotedMs), t.writesMs < 0 ? 'never' : secs(t.writesMs),
    ])));
    say();
    say(table(['topology', 'writes ok: min', 'median', 'max', 'promoted: median'], ['cluster', 'ring'].map((topology) => {
      const own = trials.filter((t) => t.topology === topology);
      const w = own.map((t) => t.writesMs);
      return [topology, secs(Math.min(...w)), secs(median(w)), secs(Math.max(...w)), secs(median(own.map((t) => t.promotedMs)))];
    })));
  } finally {
    await cluster.close();
    await ringBackend.close();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
    say();
    say('platform stopped');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
