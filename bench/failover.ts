// npm run bench:failover [-- --kills N --base-port P]
//
// SIGKILLs the User Service's PostgreSQL primary (its Patroni and postmaster,
// as a dead machine) N times (default 10) under two steady streams of
// acknowledged writes, and prints for each kill:
//   - the database RTO: from the kill until an INSERT through HAProxy's write
//     port (4 workers, a pg pool set up like the User Service's) succeeds again;
//   - the order RTO: until an order through the gateway (gateway -> Ticket
//     Order Service -> two-phase commit with the User Service) is acknowledged
//     with 201 again;
//   - lost writes: acknowledged INSERTs missing on the new primary.
// The killed node is restarted after each kill and must rejoin as a standby
// before the next one. At the end, every acknowledged order must still hold
// its seat (committed reservation in PostgreSQL, order in the order store):
// the lost-order count. Prints the medians and the totals; exits 1 if any
// write was lost or the median RTO is 10 s or more.
//
// Its own platform (base port 13000, data in .data/bench-failover, fresh),
// stopped and removed at the end. Its cache is the Sentinel ring (the Redis
// Cluster's bus ports, base + 10601..10606, would sit in another block).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { clusterProblem, fetchCluster, type PatroniMember } from '../platform/src/components/patroni-cluster-info';
import { repoRoot, startPlatform, type PlatformHandle } from '../platform/src/index';
import { OrderStream, recoveryMs } from '../test/replication/load';
import { startBenchStack, type BenchStack } from './failover-stack';
import { InsertStream } from './failover-writes';

const { values } = parseArgs({ options: { 'kills': { type: 'string', default: '10' }, 'base-port': { type: 'string' } } });
const KILLS = Number(values.kills);
const BASE_PORT = Number(values['base-port'] ?? process.env.ETICKET_BENCH_BASE_PORT ?? 13000);
const dataDir = join(repoRoot, '.data', 'bench-failover');
const RTO_TARGET_MS = 10_000;

const say = (line = '') => process.stdout.write(`${line}\n`);
const secs = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

interface Kill {
  readonly victim: string;
  readonly timeline: number | null;
  readonly promoted: string;
  readonly dbRtoMs: number;
  readonly orderRtoMs: number;
  readonly failedInserts: number;
  readonly failedOrders: number;
  readonly lostInserts: number;
  readonly rejoinMs: number;
}

async function leader(restUrls: string[]): Promise<PatroniMember> {
  const primary = (await fetchCluster(restUrls)).find((m) => m.role === 'primary');
  if (primary === undefined) throw new Error('no primary');
  return primary;
}

async function whole(restUrls: string[]): Promise<PatroniMember[]> {
  return until('the cluster to be whole (1 primary, 2 replicating standbys, 1 synchronous)', async () => {
    const members = await fetchCluster(restUrls);
    return clusterProblem(members, 3) === undefined ? members : undefined;
  }, 120_000, 250);
}

async function killOnce(platform: PlatformHandle, restUrls: string[], inserts: InsertStream, orders: OrderStream): Promise<Kill> {
  await whole(restUrls);
  const victim = await leader(restUrls);
  await sleep(2_000);
  await platform.kill(`patroni-${victim.name}`, 'SIGKILL');
  const killedAt = Date.now();
  const dbRtoMs = await until('an INSERT acknowledged after the kill', () => Promise.resolve(inserts.recoveryMs(killedAt)), 60_000);
  const orderRtoMs = await until('an order acknowledged after the kill', () => Promise.resolve(recoveryMs(orders, killedAt)), 60_000);
  const promoted = await leader(restUrls);
  // Everything acknowledged so far, before the kill included, must be on the new primary.
  const lostInserts = await inserts.missing();
  const restartedAt = Date.now();
  await platform.restart(`patroni-${victim.name}`);
  const members = await whole(restUrls);
  const rejoined = members.find((m) => m.name === victim.name);
  if (rejoined?.role !== 'standby') throw new Error(`${victim.name} did not rejoin as a standby: ${JSON.stringify(rejoined)}`);
  return {
    victim: victim.name,
    timeline: victim.timeline,
    promoted: promoted.name,
    dbRtoMs,
    orderRtoMs,
    failedInserts: inserts.failed(killedAt).length,
    failedOrders: orders.failed(killedAt).length,
    lostInserts,
    rejoinMs: Date.now() - restartedAt,
  };
}

/** Acknowledged orders whose seats are gone or whose order document is missing. */
async function lostOrders(platform: PlatformHandle, acknowledged: readonly string[]): Promise<number> {
  const db = new pg.Client({ connectionString: platform.env.USER_DB_ADMIN_URL });
  const mongo = new MongoClient(platform.env.ORDER_MONGO_URL);
  await Promise.all([db.connect(), mongo.connect()]);
  try {
    let lost = 0;
    for (let i = 0; i < acknowledged.length; i += 500) {
      const batch = acknowledged.slice(i, i + 500);
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM reservations WHERE transaction_id = ANY($1::uuid[]) AND state = \'committed\'', [batch]);
      const stored = await mongo.db().collection<{ _id: string }>('orders').countDocuments({ _id: { $in: batch } });
      lost += Math.max(batch.length - Number(rows[0]?.n ?? 0), batch.length - stored);
    }
    return lost;
  } finally {
    await Promise.all([db.end(), mongo.close()]);
  }
}

async function main(): Promise<void> {
  say(`E-Ticket failover benchmark: ${KILLS} SIGKILLs of the PostgreSQL primary under load; platform on base port ${BASE_PORT}`);
  const platform = await startPlatform({ dataDir, fresh: true, basePort: BASE_PORT, cacheTopology: 'ring', log: (line) => say(`  [platform] ${line}`) });
  let stack: BenchStack | undefined;
  const stopAll = async () => {
    await stack?.stop();
    await platform.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  let failed = false;
  try {
    const restUrls = platform.env.PATRONI_REST_URLS.split(',');
    stack = await startBenchStack(platform.env, BASE_PORT, 200_000, 8);
    const inserts = await InsertStream.start(platform.env.USER_DB_WRITE_URL, 4, 20);
    const orders = new OrderStream(stack.gatewayUrl, stack.eventId, stack.buyers, 3, 60).start();
    say(`  writes: 4 workers inserting one row each (20 ms apart) through HAProxy; 3 workers placing one-seat orders (60 ms apart) through the gateway`);
    say('');
    say('kill  victim  timeline  promoted  DB RTO    order RTO  failed inserts  failed orders  lost inserts  rejoined after');
    const kills: Kill[] = [];
    for (let i = 1; i <= KILLS; i += 1) {
      const kill = await killOnce(platform, restUrls, inserts, orders);
      kills.push(kill);
      say(`${String(i).padEnd(4)}  ${kill.victim.padEnd(6)}  ${String(kill.timeline ?? '?').padEnd(8)}  ${kill.promoted.padEnd(8)}  ${secs(kill.dbRtoMs).padEnd(8)}  ${secs(kill.orderRtoMs).padEnd(9)}  `
        + `${String(kill.failedInserts).padEnd(14)}  ${String(kill.failedOrders).padEnd(13)}  ${String(kill.lostInserts).padEnd(12)}  ${secs(kill.rejoinMs)}`);
    }
    await sleep(2_000);
    await Promise.all([inserts.stop(), orders.stop()]);
    const lostInserts = await inserts.missing();
    // Phase 2 of orders interrupted by a kill is finished by the coordinator's recovery: give it time.
    const acknowledged = orders.acknowledged();
    const lost = await until('every acknowledged order to hold its seat', async () => {
      const n = await lostOrders(platform, acknowledged);
      return n === 0 ? 0 : undefined;
    }, 60_000, 1_000).catch(() => lostOrders(platform, acknowledged));
    await inserts.close();
    const dbMedian = median(kills.map((k) => k.dbRtoMs));
    const orderMedian = median(kills.map((k) => k.orderRtoMs));
    say('');
    say(`RTO per kill (DB writes):  ${kills.map((k) => secs(k.dbRtoMs)).join(', ')}`);
    say(`RTO per kill (orders):     ${kills.map((k) => secs(k.orderRtoMs)).join(', ')}`);
    say(`median RTO: DB writes ${secs(dbMedian)}, orders ${secs(orderMedian)} (target: under ${secs(RTO_TARGET_MS)})`);
    say(`acknowledged writes: ${inserts.acknowledged.length} inserts, ${acknowledged.length} orders`);
    say(`lost writes: ${lostInserts} inserts, ${lost} orders (target: 0)`);
    failed = lostInserts > 0 || lost > 0 || !(dbMedian < RTO_TARGET_MS) || !(orderMedian < RTO_TARGET_MS);
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
