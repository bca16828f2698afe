// The cache as the services use it, on one topology, with real processes:
// what they cache and how writes invalidate it, a SIGKILLed master (cluster)
// or shard primary (ring) under a steady load through the services, and every
// cache node down. Run by services-cluster.test.ts and services-ring.test.ts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, PASSWORD, type OrderStack } from '../order/support';
import { platformControl, platformEnv } from '../setup/platform-env';
import {
  buy, clusterOwner, eventKey, fixture, ringOwner, startCachedStack, startServiceLoad, valueOn, type Fixture, type Topology,
} from './service-stack';
import { awaitHealthy, waitUntil } from './support';

const portOf = (address: string) => address.split(':')[1]!;

/** The platform's process names of every node of a topology (the ring's Sentinels included). */
function isCacheProcess(topology: Topology, name: string): boolean {
  return topology === 'cluster' ? name.startsWith('redis-') : name.startsWith('ring-redis-') || name.startsWith('sentinel-');
}

interface CacheCheck {
  status: string;
  details?: {
    topology: string;
    nodes_up: number;
    nodes: Array<{ address: string; role: string; up: boolean }>;
    caches: Record<string, { hits: number; misses: number }>;
  };
}

async function cacheStatus(url: string): Promise<{ httpStatus: number; status: string; cache: CacheCheck }> {
  const r = await call(`${url}/status`);
  const dependencies = r.body.dependencies as Record<string, CacheCheck> | undefined;
  const cache = dependencies?.cache;
  if (cache === undefined) throw new Error(`${url}/status has no cache check: ${r.text}`);
  return { httpStatus: r.status, status: r.body.status as string, cache };
}

export function describeServiceCache(topology: Topology): void {
  const env = platformEnv();
  const control = platformControl();
  let stack: OrderStack;
  let fx: Fixture;
  /** Where the service keeps `key` now: the owning master's value. */
  const cached = async (key: string) => valueOn(topology === 'cluster' ? (await clusterOwner(key)).master : (await ringOwner(key)).master, key);

  beforeAll(async () => {
    stack = await startCachedStack(topology, `cache-svc-${topology}`);
    fx = await fixture(stack);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    // Whatever failed: every killed cache process back, the topology whole again for later tests.
    const dead = (await control.processes()).filter((p) => !p.running && isCacheProcess(topology, p.name));
    for (const p of dead.sort((a, b) => a.name.localeCompare(b.name))) await control.restart(p.name);
    await awaitHealthy(env, topology, 60_000);
  }, 120_000);

  describe(`the services on the ${topology} cache`, () => {
    it('keep event details, event lists, profiles and paid orders in the cache, drop them on writes, and show the cache in /status', async () => {
      const [eventId] = fx.events;
      for (let i = 0; i < 2; i += 1) expect((await call(`${stack.userUrl}/event/${eventId!}`)).status).toBe(200);
      expect(await cached(eventKey(eventId!))).toContain(eventId);

      // A list page is cached under the list generation; a new event retires it well before its 5 s TTL.
      const word = `w${randomUUID().slice(0, 8)}`;
      expect((await call(`${stack.userUrl}/event?q=${word}`)).body.total).toBe(0);
      expect((await call(`${stack.userUrl}/event?q=${word}`)).body.total).toBe(0);
      const created = await call(`${stack.userUrl}/event`, {
        method: 'POST', headers: await stack.as(fx.organizer),
        body: { name: `Gala ${word}`, description: '', date_time: new Date(Date.now() + 86_400_000 * 20).toISOString(), venue: { name: 'Hall', location: 'Chisinau', capacity: 10 }, total_seats: 10, price: 100, currency: 'EUR' },
      });
      expect(created.status).toBe(201);
      // "eventually": the read goes to a standby, which may need a few milliseconds to replay the insert.
      await eventually('the new event in the cached list', async () => ((await call(`${stack.userUrl}/event?q=${word}`)).body.total === 1 ? true : undefined), 3_000);

      // A profile is kept 60 s; a role change drops it, so another reader sees the change at once (standby lag aside).
      const target = (await stack.buyer()).userId;
      const profile = async () => (await call(`${stack.userUrl}/user/${target}`, { headers: await stack.as(fx.reader) })).body.roles as string[];
      expect(await profile()).toEqual(['buyer']);
      expect(await cached(`user:${target}`)).toContain(target);
      expect((await call(`${stack.userUrl}/user/${target}/roles/organizer`, { method: 'PUT', headers: await stack.as(fx.writer) })).status).toBe(200);
      await eventually('the granted role in the profile', async () => ((await profile()).includes('organizer') ? true : undefined), 3_000);

      // A paid order is final: cached. An order awaiting payment never is, so paying it shows at once.
      const [paid] = fx.paidOrders;
      for (let i = 0; i < 2; i += 1) expect((await stack.getOrder(fx.buyer, paid!)).body.order_status).toBe('paid');
      expect(await cached(`order:${paid!}`)).toContain(paid);
      const placed = await stack.placeOrder(fx.buyer, fx.saleEvent, 1);
      expect(placed.status).toBe(201);
      const pending = placed.body.id as string;
      expect((await stack.getOrder(fx.buyer, pending)).body.order_status).toBe('pending_payment');
      expect(await cached(`order:${pending}`)).toBeNull();
      expect((await stack.pay(fx.buyer, pending)).status).toBe(201);
      expect((await stack.getOrder(fx.buyer, pending)).body.order_status).toBe('paid');

      for (const url of [stack.userUrl, stack.orderUrl()]) {
        const report = await cacheStatus(url);
        expect(report.httpStatus).toBe(200);
        expect(report.cache.status).toBe('up');
        expect(report.cache.details).toMatchObject({ topology, nodes_up: 6 });
        expect(report.cache.details!.nodes.filter((n) => n.role === 'master' && n.up)).toHaveLength(3);
      }
      const user = await cacheStatus(stack.userUrl);
      expect(user.cache.details!.caches.event!.hits).toBeGreaterThan(0);
      expect((await cacheStatus(stack.orderUrl())).cache.details!.caches.order!.hits).toBeGreaterThan(0);
      // And on /metrics, for Prometheus.
      for (const [url, cache] of [[stack.userUrl, 'event'], [stack.orderUrl(), 'order']] as const) {
        const metrics = (await call(`${url}/metrics`)).text;
        expect(metrics).toMatch(new RegExp(`eticket_cache_hit_ratio\\{[^}]*cache="${cache}"[^}]*\\} 0\\.\\d+`));
        expect(metrics).toMatch(/eticket_cache_node_up\{[^}]*role="master"[^}]*\} 1/);
      }
    }, 60_000);

    it(
      `keep every read and write through the services correct while a SIGKILLed ${topology === 'cluster' ? 'master' : 'shard primary'} fails over, `
      + 'and store to its keys again once its replica is promoted',
      async () => {
        // A fresh event nobody has read: its cache key exists nowhere, so finding it on the promoted replica
        // proves the service wrote it there after the failover.
        const probe = await stack.event(10, 1_000, fx.organizer);
        const owner = topology === 'cluster' ? await clusterOwner(eventKey(probe)) : await ringOwner(eventKey(probe));
        const load = startServiceLoad(stack, fx);
        let recoveredAfterMs = -1;
        try {
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          const killedAt = Date.now();
          await control.kill(`${topology === 'cluster' ? 'redis' : 'ring-redis'}-${portOf(owner.master)}`);
          const storedOnPromoted = async () => {
            const r = await call(`${stack.userUrl}/event/${probe}`);
            if (r.status !== 200) throw new Error(`GET /event/${probe} answered ${r.status}`);
            return (await valueOn(owner.replica, eventKey(probe))) !== null;
          };
          await waitUntil('the service to store the probe event on the promoted replica', storedOnPromoted, 45_000, 50);
          recoveredAfterMs = Date.now() - killedAt;
          // Keep the load going on the new topology for a while.
          await new Promise((resolve) => setTimeout(resolve, 2_000));
        } finally {
          const report = await load.stop();
          process.stderr.write(`[services ${topology} failover] the service stored to the dead node's keys again ${recoveredAfterMs} ms after SIGKILL of ${owner.master}; load: ${JSON.stringify({ ...report, failures: report.failures.slice(0, 5), failureCount: report.failures.length })}\n`);
          expect(report.failures).toEqual([]);
          expect(report.reads).toBeGreaterThan(50);
          expect(report.writes).toBeGreaterThan(5);
        }
        // Every role change of the load reached the readers: no invalidation was lost in the failover.
        await eventually('the last role change in the profile', async () => {
          const roles = (await call(`${stack.userUrl}/user/${fx.roleTarget}`, { headers: await stack.as(fx.reader) })).body.roles as string[];
          return roles.includes('organizer') === fx.targetIsOrganizer ? true : undefined;
        }, 5_000);
        const status = await cacheStatus(stack.userUrl);
        expect(status.httpStatus).toBe(200);
        expect(status.cache.details!.nodes).toContainEqual(expect.objectContaining({ address: owner.master, up: false }));
        expect(status.cache.details!.nodes).toContainEqual(expect.objectContaining({ address: owner.replica, role: 'master', up: true }));

        await control.restart(`${topology === 'cluster' ? 'redis' : 'ring-redis'}-${portOf(owner.master)}`);
        const took = await awaitHealthy(env, topology, 60_000);
        process.stderr.write(`[services ${topology} failover] ${topology} healthy again ${took} ms after restarting ${owner.master}\n`);
      },
      150_000,
    );

    it('answer every API correctly with every cache node down, only slower, and use the cache again once it is back', async () => {
      const timedReads = async (): Promise<number> => {
        const times: number[] = [];
        for (let i = 0; i < 30; i += 1) {
          const started = performance.now();
          const id = fx.events[i % fx.events.length]!;
          expect((await call(`${stack.userUrl}/event/${id}`)).status).toBe(200);
          expect((await stack.getOrder(fx.buyer, fx.paidOrders[i % fx.paidOrders.length]!)).status).toBe(200);
          times.push(performance.now() - started);
        }
        return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      };
      const upMedianMs = await timedReads();
      const nodes = (await control.processes()).filter((p) => isCacheProcess(topology, p.name));
      expect(nodes).toHaveLength(topology === 'cluster' ? 6 : 9);
      await Promise.all(nodes.map((p) => control.kill(p.name)));
      let downMedianMs = -1;
      try {
        // Accounts: register, log in, read a profile, change roles, read it again.
        const email = `down-${randomUUID().slice(0, 8)}@example.test`;
        const registered = await call(`${stack.userUrl}/user/register`, { method: 'POST', body: { email, password: PASSWORD } });
        expect(registered.status).toBe(201);
        const userId = registered.body.id as string;
        expect((await call(`${stack.userUrl}/user/login`, { method: 'POST', body: { email, password: PASSWORD } })).status).toBe(200);
        const profile = async () => call(`${stack.userUrl}/user/${userId}`, { headers: await stack.as(fx.reader) });
        expect((await profile()).body).toMatchObject({ id: userId, roles: ['buyer'] });
        expect((await call(`${stack.userUrl}/user/${userId}/roles/organizer`, { method: 'PUT', headers: await stack.as(fx.writer) })).status).toBe(200);
        await eventually('the granted role', async () => (((await profile()).body.roles as string[]).includes('organizer') ? true : undefined), 3_000);

        // Events: create, read, find in the list.
        const word = `d${randomUUID().slice(0, 8)}`;
        const created = await call(`${stack.userUrl}/event`, {
          method: 'POST', headers: await stack.as(fx.organizer),
          body: { name: `Down ${word}`, description: '', date_time: new Date(Date.now() + 86_400_000 * 20).toISOString(), venue: { name: 'Hall', location: 'Chisinau', capacity: 10 }, total_seats: 10, price: 100, currency: 'EUR' },
        });
        expect(created.status).toBe(201);
        const eventId = created.body.id as string;
        expect((await call(`${stack.userUrl}/event/${eventId}`)).body).toMatchObject({ id: eventId, available_seats: 10 });
        await eventually('the new event in the list', async () => ((await call(`${stack.userUrl}/event?q=${word}`)).body.total === 1 ? true : undefined), 3_000);

        // Orders: buy and read back; an order awaiting payment reads as such, then as paid.
        const paid = await buy(stack, fx.buyer, eventId);
        expect((await stack.getOrder(fx.buyer, paid)).body).toMatchObject({ id: paid, order_status: 'paid' });
        const placed = await stack.placeOrder(fx.buyer, eventId, 2);
        expect(placed.status).toBe(201);
        expect((await stack.getOrder(fx.buyer, placed.body.id as string)).body.order_status).toBe('pending_payment');
        expect((await call(`${stack.userUrl}/event/${eventId}`)).body.available_seats).toBe(7);

        // Ready, and saying why it is slower.
        for (const url of [stack.userUrl, stack.orderUrl()]) {
          const report = await cacheStatus(url);
          expect(report.httpStatus).toBe(200);
          expect(report.status).not.toBe('down');
          expect(report.cache.status).toBe('down');
        }
        downMedianMs = await timedReads();
      } finally {
        // Shard nodes first (their configs hold the topology as Sentinel last rewrote it), then the Sentinels.
        for (const p of nodes.filter((n) => !n.name.startsWith('sentinel-'))) await control.restart(p.name);
        for (const p of nodes.filter((n) => n.name.startsWith('sentinel-'))) await control.restart(p.name);
      }
      process.stderr.write(`[services ${topology} all down] median of GET /event/:id + GET /order/:id: ${upMedianMs.toFixed(1)} ms with the cache, ${downMedianMs.toFixed(1)} ms with every cache node down\n`);
      const took = await awaitHealthy(env, topology, 60_000);
      process.stderr.write(`[services ${topology} all down] ${topology} healthy again ${took} ms after the restart\n`);

      // The services' clients reconnect by themselves: a fresh event is cached again.
      const again = await stack.event(10, 1_000, fx.organizer);
      const reconnectedMs = await waitUntil('the service to cache again', async () => {
        expect((await call(`${stack.userUrl}/event/${again}`)).status).toBe(200);
        return (await cached(eventKey(again))) !== null;
      }, 30_000, 100);
      process.stderr.write(`[services ${topology} all down] the user service cached again ${reconnectedMs} ms after the ${topology} was healthy\n`);
    }, 180_000);
  });
}
