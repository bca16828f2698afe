import { randomUUID } from 'node:crypto';
import type { Identity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatroniMember } from '../../platform/src/components/patroni-cluster-info';
import { deriveResourceId } from '../../services/order/src/domain/ids';
import { exited, OrderStack, settledInvariants } from '../order/support';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { killNode, members, nodeUrl, restartNode, roles, wholeCluster, withClient, writableAgain } from './cluster';
import { OrderStream, ReadStream, recoveryMs, type Buyer } from './load';

// Chaos on the User Service's PostgreSQL under a steady stream of orders
// through the gateway (real processes: gateway, Ticket Order Service, User
// Service; real Patroni, HAProxy and PostgreSQL). A standby SIGKILLed: no
// order fails. The primary SIGKILLed: orders fail for a few seconds (503,
// never 500), resume once the synchronous standby is promoted, and every
// order acknowledged with 201 — before, during or after — keeps its seat; the
// seat invariant holds. The old primary restarted: it rejoins as a standby of
// the new timeline. Two-phase-commit transactions PREPAREd on the old
// primary are found on the new one and committed or rolled back there.

let stack: OrderStack;
let identities: Identity[];
let buyers: Buyer[];
/** Nodes this file killed and has not restarted yet; afterAll brings them back so later files find a whole cluster. */
const down = new Map<string, PatroniMember>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`[replication] ${line}\n`);

beforeAll(async () => {
  await wholeCluster();
  const env = platformEnv();
  stack = await OrderStack.start({
    name: 'replication',
    gateway: true,
    userEnv: {
      USER_DB_READ_URL: env.USER_DB_READ_URL,
      PATRONI_REST_URLS: env.PATRONI_REST_URLS,
      CACHE_TOPOLOGY: 'cluster',
      REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
    },
    // Recovery scans every second, so work a failover leaves behind is finished within the test.
    orderEnv: { RECOVERY_SCAN_INTERVAL_MS: '1000' },
  });
  identities = await Promise.all(Array.from({ length: 8 }, () => stack.buyer()));
  buyers = await Promise.all(identities.map(async (identity) => ({ userId: identity.userId, token: await stack.token(identity) })));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  for (const member of down.values()) await restartNode(member);
  await wholeCluster();
}, 120_000);

async function kill(member: PatroniMember): Promise<number> {
  down.set(member.name, member);
  return killNode(member);
}

async function restart(member: PatroniMember): Promise<void> {
  await restartNode(member);
  down.delete(member.name);
}

/** Every acknowledged order still holds its seat on whatever primary there is now, and exists in the order store. */
async function assertKept(acknowledged: readonly string[]): Promise<void> {
  const { rows } = await stack.db.query<{ transaction_id: string; state: string }>(
    'SELECT transaction_id, state FROM reservations WHERE transaction_id = ANY($1::uuid[])', [acknowledged],
  );
  const committed = new Set(rows.filter((row) => row.state === 'committed').map((row) => row.transaction_id));
  expect(acknowledged.filter((id) => !committed.has(id)), 'acknowledged orders whose seats are gone').toEqual([]);
  const stored = await stack.mongo.db().collection<{ _id: string }>('orders').countDocuments({ _id: { $in: [...acknowledged] } });
  expect(stored).toBe(acknowledged.length);
}

describe('User Service PostgreSQL failover under a stream of orders', () => {
  it('a standby SIGKILLed: no order and no read fails; it rejoins as a standby', async () => {
    const eventId = await stack.event(5_000);
    const { sync, primary } = await roles();
    const orders = new OrderStream(stack.gatewayUrl, eventId, buyers).start();
    const reads = new ReadStream(stack.gatewayUrl, eventId).start();
    await sleep(2_000);
    // The synchronous standby: every commit waits for it until Patroni names the other one.
    const killedAt = await kill(sync);
    await sleep(6_000);
    await restart(sync);
    const after = await wholeCluster();
    await sleep(1_000);
    await Promise.all([orders.stop(), reads.stop()]);

    log(`standby ${sync.name} killed: orders ${JSON.stringify(orders.summary())}, reads ${JSON.stringify(reads.summary())}`);
    expect(orders.failed()).toEqual([]);
    expect(reads.failed()).toEqual([]);
    expect(orders.between(killedAt, killedAt + 6_000).length).toBeGreaterThan(20);
    expect(after.find((m) => m.name === primary.name)?.role).toBe('primary');
    expect(after.find((m) => m.name === sync.name)?.role).toBe('standby');
    const report = await settledInvariants(stack, eventId);
    expect(report.held).toBe(orders.acknowledged().length);
    await assertKept(orders.acknowledged());
  }, 120_000);

  let oldPrimary: PatroniMember;
  let acknowledged: string[] = [];

  it('the primary SIGKILLed: orders resume after a failover, none acknowledged is lost, seats add up', async () => {
    const eventId = await stack.event(5_000);
    const before = await roles();
    oldPrimary = before.primary;
    const orders = new OrderStream(stack.gatewayUrl, eventId, buyers).start();
    await sleep(3_000);
    const killedAt = await kill(oldPrimary);
    const rto = await eventually('an order acknowledged after the kill', () => recoveryMs(orders, killedAt), 45_000, 100);
    await sleep(3_000);
    await orders.stop();
    acknowledged = orders.acknowledged();

    const during = orders.summary(killedAt);
    log(`primary ${oldPrimary.name} killed: orders resumed after ${rto} ms; all orders ${JSON.stringify(orders.summary())}; since the kill ${JSON.stringify(during)}`);
    // Failures are retryable refusals, never a 500.
    for (const attempt of orders.failed()) expect([503, 504]).toContain(attempt.status);
    expect(rto).toBeLessThan(20_000);
    // Only the synchronous standby may be promoted (synchronous_mode): it has every acknowledged commit.
    const promoted = (await members()).find((m) => m.role === 'primary');
    expect(promoted?.name).toBe(before.sync.name);
    expect(promoted?.timeline).toBeGreaterThan(before.primary.timeline ?? 0);

    // The coordinator's and participant's recovery settle what the failover interrupted.
    const report = await settledInvariants(stack, eventId, 60_000);
    log(`after the primary kill: ${acknowledged.length} acknowledged, ${report.held} seats held, ${report.available} free of ${report.totalSeats}, statuses ${JSON.stringify(report.statuses)}`);
    await assertKept(acknowledged);
    expect(report.held).toBeGreaterThanOrEqual(acknowledged.length);
  }, 120_000);

  it('the old primary restarted: it rejoins as a standby on the new timeline with every acknowledged order', async () => {
    await restart(oldPrimary);
    const whole = await wholeCluster();
    const primary = whole.find((m) => m.role === 'primary');
    const rejoined = whole.find((m) => m.name === oldPrimary.name);
    expect(rejoined).toMatchObject({ role: 'standby', state: 'running' });
    expect(rejoined?.timeline).toBe(primary?.timeline);
    expect(rejoined?.lagBytes).not.toBeNull();
    await eventually('the rejoined node to have replayed every acknowledged order', () => withClient(nodeUrl(oldPrimary), async (client) => {
      const { rows } = await client.query<{ n: string; standby: boolean }>(
        'SELECT count(*) AS n, pg_is_in_recovery() AS standby FROM reservations WHERE transaction_id = ANY($1::uuid[]) AND state = \'committed\'', [acknowledged],
      );
      return rows[0]?.standby === true && Number(rows[0].n) === acknowledged.length ? true : undefined;
    }), 20_000);

    // The User Service's /status shows the cluster as it is now: roles, timelines and lag per node.
    const status = (await (await fetch(`${stack.userUrl}/status`)).json()) as { dependencies: Record<string, { status: string; details?: Record<string, unknown> }> };
    const cluster = status.dependencies['postgres-cluster'];
    expect(cluster?.status).toBe('up');
    expect(cluster?.details).toMatchObject({ primary: primary?.name, timeline: primary?.timeline });
    const listed = cluster?.details?.members as Array<{ name: string; role: string; timeline: number; lag_bytes: number | null }>;
    expect(listed.map((m) => m.name).sort()).toEqual(whole.map((m) => m.name).sort());
    for (const member of listed) {
      expect(member.timeline).toBe(primary?.timeline);
      if (member.role === 'standby') expect(typeof member.lag_bytes).toBe('number');
    }
  }, 120_000);

  it('two-phase-commit transactions PREPAREd on the old primary are committed or rolled back on the new one', async () => {
    const eventId = await stack.event(10);
    const [buyer] = identities;
    const env = platformEnv();
    // By hand: two prepared transactions on a probe table.
    const tag = randomUUID();
    const gids = { commit: `repl-commit-${tag}`, rollback: `repl-rollback-${tag}` };
    await withClient(env.USER_DB_ADMIN_URL, async (client) => {
      await client.query('CREATE TABLE IF NOT EXISTS replication_probe (id text PRIMARY KEY)');
      for (const gid of Object.values(gids)) {
        await client.query('BEGIN');
        await client.query('INSERT INTO replication_probe (id) VALUES ($1)', [gid]);
        await client.query(`PREPARE TRANSACTION '${gid}'`);
      }
    });
    // By the two-phase commit itself, with the coordinator crashing at the worst moments (the
    // User Service stays up and sees the failover): one reservation prepared with no decision...
    const undecidedKey = randomUUID();
    await stack.orderProcess()?.stop();
    let doomed = await stack.startOrder(0, { TWO_PC_FAULT: 'crash-after-prepare' });
    await expect(stack.placeOrder(buyer!, eventId, 3, undecidedKey)).rejects.toThrow();
    await exited(doomed);
    // ...and one prepared and decided commit, phase 2 never sent.
    const decidedKey = randomUUID();
    doomed = await stack.startOrder(0, { TWO_PC_FAULT: 'crash-after-decision' });
    await expect(stack.placeOrder(buyer!, eventId, 2, decidedKey)).rejects.toThrow();
    await exited(doomed);
    const decidedId = deriveResourceId(buyer!.userId, 'order', decidedKey);
    const undecidedId = deriveResourceId(buyer!.userId, 'order', undecidedKey);
    const decidedGid = `eticket:${decidedId}`;
    const undecidedGid = `eticket:${undecidedId}`;
    expect(await stack.preparedTransactions()).toEqual(expect.arrayContaining([decidedGid, undecidedGid]));
    expect((await stack.order(decidedId))?.decision).toMatchObject({ outcome: 'commit' });

    const { primary, sync } = await roles();
    await kill(primary);
    await writableAgain();
    // The prepared transactions were in the WAL the synchronous standby had flushed: the new primary has all four.
    const promoted = (await members()).find((m) => m.role === 'primary');
    expect(promoted?.name).toBe(sync.name);
    await withClient(nodeUrl(sync), async (client) => {
      const { rows } = await client.query<{ gid: string }>('SELECT gid FROM pg_prepared_xacts');
      expect(rows.map((row) => row.gid)).toEqual(expect.arrayContaining([gids.commit, gids.rollback, decidedGid, undecidedGid]));
      await client.query(`COMMIT PREPARED '${gids.commit}'`);
      await client.query(`ROLLBACK PREPARED '${gids.rollback}'`);
      const { rows: probe } = await client.query<{ id: string }>('SELECT id FROM replication_probe WHERE id = ANY($1)', [Object.values(gids)]);
      expect(probe.map((row) => row.id)).toEqual([gids.commit]);
    });

    // The coordinator, back, finishes both on the new primary: phase 2 commits the decided one, the undecided one is presumed aborted.
    await stack.startOrder(0);
    const report = await settledInvariants(stack, eventId, 60_000);
    expect(report).toMatchObject({ available: 8, held: 2, prepared: [] });
    expect(await stack.reservation(decidedId)).toEqual({ state: 'committed', quantity: 2 });
    expect(await stack.reservation(undecidedId)).toMatchObject({ state: 'aborted' });

    await restart(primary);
    await wholeCluster();
  }, 150_000);
});
