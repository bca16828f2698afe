import { connectRegistry, HOST_HALF_OPEN_MS, instanceKey, parseInstance, WATCH_RETRY_MAX_MS, type Registry } from '@eticket/discovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdHealth } from '../../platform/src/components/etcd';
import { wholeCluster } from '../replication/cluster';
import { listOf, platformControl, platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import type { ServiceProcess } from '../support/service-process';
import { ChaosStack, LEASE_TTL_SECONDS } from './stack';

// Service discovery when etcd is gone: the platform's etcd stopped (SIGTERM
// through the platform supervisor, so nothing answers on its port) for longer
// than the instances' lease TTL, while two User Service instances serve reads
// through a discovery-driven gateway and a third is started during the
// outage. The gateway must keep routing to the instances it knew; the third
// registers once etcd is back, and the gateway discovers it.
//
// Patroni keeps its leader key in the same etcd. Without its DCS, Patroni
// demotes the primary after retry_timeout (3 s here; failsafe_mode is off),
// so writes stop until etcd is back and a leader is elected again. The reads
// here run on the standbys and do not depend on that; the new instance's
// start-up (its migrations) waits for a primary; the file ends only once the
// Patroni cluster is whole again, for the files after it.

const OUTAGE_MS = (LEASE_TTL_SECONDS + 3) * 1_000;
/**
 * From the new instance's registration to the gateway routing to it: the
 * registry client's longest pause before opening its watch again plus its
 * breaker's half-open wait (about 3 s), with room for a loaded machine. With
 * etcd3's default waits this took 21 s.
 */
const DISCOVERY_BOUND_MS = 3 * (WATCH_RETRY_MAX_MS + HOST_HALF_OPEN_MS) + 1_000;

const control = platformControl();
const etcdUrl = listOf(platformEnv().ETCD_ENDPOINTS).map((endpoint) => (/^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`))[0]!;
let stack: ChaosStack;
let eventId = '';
let admin = { token: '', userId: '' };
let registry: Registry | undefined;

interface Read {
  readonly what: string;
  readonly status: number | string;
  readonly stale: boolean;
}

/** A public event read and an authenticated user read through the gateway; a stale copy would hide a failed read, so it counts as one. */
async function readBoth(): Promise<Read[]> {
  const once = async (what: string, path: string, headers: Record<string, string>): Promise<Read> => {
    try {
      const response = await fetch(`${stack.gatewayUrl}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      return { what, status: response.status, stale: response.headers.get('x-cache') === 'stale' };
    } catch (error) {
      return { what, status: error instanceof Error ? error.message : String(error), stale: false };
    }
  };
  return Promise.all([
    once('GET /event/{id}', `/event/${eventId}`, {}),
    once('GET /user/{id}', `/user/${admin.userId}`, { authorization: `Bearer ${admin.token}` }),
  ]);
}

const failedReads = (reads: readonly Read[]) => reads.filter((read) => read.status !== 200 || read.stale);

beforeAll(async () => {
  // user-c gets its ports now and is started during the outage.
  stack = await ChaosStack.start('etcd-outage', ['user-a', 'user-b', 'user-c'], [], ['user-c']);
  eventId = await stack.event();
  admin = await stack.session();
}, 120_000);

afterAll(async () => {
  // Whatever happened, leave etcd running and the database cluster whole for the files after this one.
  if (!(await etcdHealth(etcdUrl)).healthy) await control.restart('etcd').catch(() => undefined);
  await eventually('etcd to be healthy', async () => ((await etcdHealth(etcdUrl)).healthy ? true : undefined), 30_000, 250);
  registry?.close();
  await stack?.stop();
  await wholeCluster(120_000);
}, 180_000);

describe('the gateway and the services with etcd stopped', () => {
  it(`keep routing reads to the instances known before etcd stopped (${OUTAGE_MS / 1000} s, past the ${LEASE_TTL_SECONDS} s lease TTL); an instance started during the outage registers when etcd is back and the gateway discovers it`, async () => {
    expect((await stack.instances()).map((instance) => instance.id).sort()).toEqual(['user-a', 'user-b']);
    expect(failedReads(await readBoth())).toEqual([]);

    await control.kill('etcd', 'SIGTERM');
    const stoppedAt = Date.now();
    let late: Promise<ServiceProcess> | undefined;
    const during: Read[] = [];
    let listedDuring: string[] = [];
    try {
      // The third instance starts without etcd: it must serve and keep trying to register in the background.
      late = stack.startUser('user-c');
      // Keep the started promise from going unobserved if the outage part fails first.
      late.catch(() => undefined);
      while (Date.now() - stoppedAt < OUTAGE_MS) {
        during.push(...(await readBoth()));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      listedDuring = (await stack.instances()).map((instance) => instance.id).sort();
    } finally {
      await control.restart('etcd');
    }
    const restartedAt = Date.now();
    const outageMs = restartedAt - stoppedAt;
    await eventually('etcd to be healthy again', async () => ((await etcdHealth(etcdUrl)).healthy ? true : undefined), 30_000, 100);
    console.log(`[etcd-outage] etcd stopped for ${(outageMs / 1000).toFixed(1)} s: ${during.length} reads, ${failedReads(during).length} failed or stale; the gateway listed ${listedDuring.join(', ')} during the outage`);
    expect(failedReads(during)).toEqual([]);
    expect(during.length).toBeGreaterThan(10);
    expect(listedDuring).toEqual(['user-a', 'user-b']);

    // The new instance has started (if Patroni demoted the primary meanwhile, its migrations waited for a new one) and registers.
    await late;
    registry = connectRegistry({ endpoints: listOf(platformEnv().ETCD_ENDPOINTS), namespace: stack.namespace });
    const registered = registry;
    const registeredAt = await eventually('user-c to be in the registry', async () => {
      const raw = await registered.etcd.get(instanceKey('user', 'user-c')).string();
      return raw === null ? undefined : Date.parse(parseInstance(raw)?.registeredAt ?? '');
    }, 60_000, 100);
    const after: Read[] = [];
    const discoveredAt = await eventually('the gateway to discover user-c', async () => {
      after.push(...(await readBoth()));
      return (await stack.instances()).some((instance) => instance.id === 'user-c') ? Date.now() : undefined;
    }, 60_000, 100);
    await stack.waitForInstances(['user-a', 'user-b', 'user-c'], 30_000);
    const listed = (await stack.instances()).map((instance) => instance.id).sort();
    console.log(`[etcd-outage] user-c registered ${((registeredAt - restartedAt) / 1000).toFixed(1)} s after etcd was started again; the gateway listed it ${((discoveredAt - registeredAt) / 1000).toFixed(1)} s after it registered and lists ${listed.join(', ')}; reads meanwhile: ${after.length}, ${failedReads(after).length} failed or stale`);
    expect(Number.isFinite(registeredAt)).toBe(true);
    expect(discoveredAt - registeredAt).toBeLessThan(DISCOVERY_BOUND_MS);
    expect(listed).toEqual(['user-a', 'user-b', 'user-c']);
    expect(failedReads(after)).toEqual([]);
  }, 150_000);
});
