// The User and Ticket Order Services as real processes with the shared cache
// of one topology, a steady mix of reads and writes through their HTTP APIs
// that checks every answer, and the helpers the service-level cache failure
// tests use to find where a service's cache key lives.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Identity } from '@eticket/auth';
import calculateSlot from 'cluster-key-slot';
import { createRing } from '../../packages/cache/src/index';
import { sentinelPrimary } from '../../platform/src/components/sentinel-probe';
import { call, OrderStack, type Env } from '../order/support';
import { listOf, platformEnv } from '../setup/platform-env';
import { withDirect } from './support';

export type Topology = 'cluster' | 'ring';

/** What a service needs to use the platform's cache of `topology` (as `npm start` passes it). */
export function cacheEnv(topology: Topology): Env {
  const env = platformEnv();
  // 250 ms: the bound a dead node may cost one cache operation on this busy two-core machine.
  return topology === 'cluster'
    ? { CACHE_TOPOLOGY: 'cluster', REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES, REDIS_COMMAND_TIMEOUT_MS: '250' }
    : { CACHE_TOPOLOGY: 'ring', REDIS_SENTINELS: env.REDIS_SENTINELS, REDIS_RING_SHARDS: env.REDIS_RING_SHARDS, REDIS_COMMAND_TIMEOUT_MS: '250' };
}

/** One User Service (reading the standbys through HAProxy) and one order instance, both on the cache. */
export function startCachedStack(topology: Topology, name: string): Promise<OrderStack> {
  const env = platformEnv();
  return OrderStack.start({
    name,
    userEnv: { ...cacheEnv(topology), USER_DB_READ_URL: env.USER_DB_READ_URL },
    orderEnv: cacheEnv(topology),
  });
}

export interface Fixture {
  readonly organizer: Identity;
  readonly buyer: Identity;
  /** An admin who only reads: their reads go to standbys, so through the cache. */
  readonly reader: Identity;
  /** An admin who changes roles (their own reads then go to the primary for a while). */
  readonly writer: Identity;
  readonly events: string[];
  /** An event with seats enough for every order the load places. */
  readonly saleEvent: string;
  readonly paidOrders: string[];
  /** A user whose organizer role the load grants and revokes. */
  readonly roleTarget: string;
  /** Whether roleTarget is an organizer after the last write. */
  targetIsOrganizer: boolean;
}

const admin = (): Identity => ({ userId: randomUUID(), email: `admin-${randomUUID().slice(0, 6)}@example.test`, roles: ['buyer', 'admin'] });

export async function fixture(stack: OrderStack): Promise<Fixture> {
  const organizer = await stack.organizer();
  const buyer = await stack.buyer();
  const roleTarget = (await stack.buyer()).userId;
  const events: string[] = [];
  for (let i = 0; i < 4; i += 1) events.push(await stack.event(100, 2_500, organizer));
  const saleEvent = await stack.event(5_000, 1_000, organizer);
  const paidOrders: string[] = [];
  for (let i = 0; i < 2; i += 1) paidOrders.push(await buy(stack, buyer, saleEvent));
  return { organizer, buyer, reader: admin(), writer: admin(), events, saleEvent, paidOrders, roleTarget, targetIsOrganizer: false };
}

/** Places a one-seat order and pays it; the order's id. */
export async function buy(stack: OrderStack, buyer: Identity, eventId: string): Promise<string> {
  const placed = await stack.placeOrder(buyer, eventId, 1);
  if (placed.status !== 201) throw new Error(`POST /order answered ${placed.status}: ${placed.text}`);
  const id = placed.body.id as string;
  const paid = await stack.pay(buyer, id);
  if (paid.status !== 201) throw new Error(`POST /payment answered ${paid.status}: ${paid.text}`);
  return id;
}

type Check = () => Promise<string | undefined>;

/** Each read the services may answer from the cache, with what a correct answer is. */
function reads(stack: OrderStack, fx: Fixture): Check[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
  return [
    async () => {
      const id = pick(fx.events);
      const r = await call(`${stack.userUrl}/event/${id}`);
      return r.status === 200 && r.body.id === id ? undefined : `GET /event/${id}: ${r.status} ${r.text.slice(0, 200)}`;
    },
    async () => {
      const r = await call(`${stack.userUrl}/event?limit=5`);
      const ok = r.status === 200 && Array.isArray(r.body.items) && (r.body.total as number) >= fx.events.length;
      return ok ? undefined : `GET /event: ${r.status} ${r.text.slice(0, 200)}`;
    },
    async () => {
      const id = pick([fx.buyer.userId, fx.organizer.userId, fx.roleTarget]);
      const r = await call(`${stack.userUrl}/user/${id}`, { headers: await stack.as(fx.reader) });
      return r.status === 200 && r.body.id === id ? undefined : `GET /user/${id}: ${r.status} ${r.text.slice(0, 200)}`;
    },
    async () => {
      const id = pick(fx.paidOrders);
      const r = await stack.getOrder(fx.buyer, id);
      return r.status === 200 && r.body.order_status === 'paid' ? undefined : `GET /order/${id}: ${r.status} ${r.text.slice(0, 200)}`;
    },
  ];
}

/** Each write, followed by a read that must show it. */
function writes(stack: OrderStack, fx: Fixture): Check[] {
  return [
    async () => {
      const id = await stack.event(50, 1_500, fx.organizer).catch((error: Error) => error);
      if (id instanceof Error) return `POST /event: ${id.message}`;
      const r = await call(`${stack.userUrl}/event/${id}`);
      return r.status === 200 && r.body.id === id ? undefined : `GET /event/${id} after creating it: ${r.status} ${r.text.slice(0, 200)}`;
    },
    async () => {
      const grant = !fx.targetIsOrganizer;
      const r = await call(`${stack.userUrl}/user/${fx.roleTarget}/roles/organizer`, { method: grant ? 'PUT' : 'DELETE', headers: await stack.as(fx.writer) });
      if (r.status !== 200) return `${grant ? 'PUT' : 'DELETE'} organizer role: ${r.status} ${r.text.slice(0, 200)}`;
      fx.targetIsOrganizer = grant;
      return undefined;
    },
    async () => {
      const id = await buy(stack, fx.buyer, fx.saleEvent).catch((error: Error) => error);
      if (id instanceof Error) return id.message;
      const r = await stack.getOrder(fx.buyer, id);
      return r.status === 200 && r.body.order_status === 'paid' ? undefined : `GET /order/${id} after paying: ${r.status} ${r.text.slice(0, 200)}`;
    },
  ];
}

export interface LoadReport {
  readonly reads: number;
  readonly writes: number;
  /** Every wrong or failed answer, with what it was. */
  readonly failures: readonly string[];
  readonly readP50Ms: number;
  readonly readMaxMs: number;
  readonly writeMaxMs: number;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};

/**
 * Three reader loops and one writer loop through the services' HTTP APIs
 * until stop(); bounded by `maxMs` in case a test forgets to stop it.
 */
export function startServiceLoad(stack: OrderStack, fx: Fixture, maxMs = 120_000): { stop: () => Promise<LoadReport> } {
  const failures: string[] = [];
  const readMs: number[] = [];
  const writeMs: number[] = [];
  const until = Date.now() + maxMs;
  let running = true;
  const loop = async (checks: Check[], times: number[], pauseMs: number) => {
    for (let i = 0; running && Date.now() < until; i += 1) {
      const started = Date.now();
      const failure = await checks[i % checks.length]!().catch((error: Error) => `request failed: ${error.message}`);
      times.push(Date.now() - started);
      if (failure !== undefined) failures.push(failure);
      await sleep(pauseMs);
    }
  };
  const loops = [
    ...[0, 1, 2].map(() => loop(reads(stack, fx), readMs, 10)),
    loop(writes(stack, fx), writeMs, 50),
  ];
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return {
        reads: readMs.length,
        writes: writeMs.length,
        failures,
        readP50Ms: percentile(readMs, 0.5),
        readMaxMs: Math.max(0, ...readMs),
        writeMaxMs: Math.max(0, ...writeMs),
      };
    },
  };
}

/** The cache key the User Service keeps an event's details under. */
export const eventKey = (eventId: string): string => `event:${eventId}`;

/** The master that owns `key`'s slot and its replica, from CLUSTER NODES. */
export async function clusterOwner(key: string): Promise<{ master: string; replica: string }> {
  const [seed] = listOf(platformEnv().REDIS_CLUSTER_NODES);
  const text = String(await withDirect(seed!, (c) => c.call('CLUSTER', 'NODES')));
  const slot = calculateSlot(key);
  const lines = text.trim().split('\n').map((line) => line.split(' '));
  const master = lines.find((f) => f[2]!.includes('master') && !f[2]!.includes('fail') && f.slice(8).some((range) => {
    const [from, to] = range.split('-').map(Number);
    return slot >= from! && slot <= (to ?? from!);
  }));
  if (master === undefined) throw new Error(`no live master owns slot ${slot}`);
  const replica = lines.find((f) => f[3] === master[0]);
  if (replica === undefined) throw new Error(`master ${master[1]} has no replica`);
  return { master: master[1]!.split('@')[0]!, replica: replica[1]!.split('@')[0]! };
}

/** The ring shard of `key` (the services' ring: same shards, same virtual nodes), its primary and its replica, from Sentinel. */
export async function ringOwner(key: string): Promise<{ shard: string; master: string; replica: string }> {
  const env = platformEnv();
  const sentinels = listOf(env.REDIS_SENTINELS);
  const shard = createRing(listOf(env.REDIS_RING_SHARDS)).get(key);
  const master = await sentinelPrimary(sentinels, shard);
  if (master === undefined) throw new Error(`no sentinel names a primary for ${shard}`);
  const replicas = (await withDirect(sentinels[0]!, (c) => c.call('SENTINEL', 'REPLICAS', shard))) as string[][];
  const fields = replicas.map((flat) => new Map(flat.flatMap((value, i) => (i % 2 === 0 ? [[value, flat[i + 1]!] as const] : []))));
  const replica = fields.find((f) => !/s_down|o_down|disconnected/.test(f.get('flags') ?? ''));
  if (replica === undefined) throw new Error(`${shard} has no live replica`);
  return { shard, master, replica: `${replica.get('ip')}:${replica.get('port')}` };
}

/** The value of `key` on one node, or null (a cluster replica answers MOVED; an unreachable node throws: null too). */
export async function valueOn(address: string, key: string): Promise<string | null> {
  try {
    return await withDirect(address, (c) => c.get(key));
  } catch {
    return null;
  }
}
