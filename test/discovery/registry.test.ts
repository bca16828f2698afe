import { randomUUID } from 'node:crypto';
import { connectRegistry, instanceKey, registerInstance, ServiceWatcher, type Registry, type ServiceInstance } from '@eticket/discovery';
import { createLogger } from '@eticket/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOf, platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { spawnService, type ServiceProcess } from '../support/service-process';

// Service discovery against the platform's real etcd: leases, keep-alives,
// watches; a registrant that is a real process, SIGKILLed and SIGSTOPped.

const logger = createLogger({ service: 'discovery-test', instance: 't', level: 'silent' });
const namespace = `test-discovery-${randomUUID().slice(0, 8)}`;
let registry: Registry;
let watcher: ServiceWatcher;
const processes: ServiceProcess[] = [];

const instance = (id: string): ServiceInstance => ({ service: 'registrant', id, host: '127.0.0.1', httpPort: 1, version: 't', protocols: ['http'], registeredAt: '' });
const listed = (id: string) => watcher.instances().some((known) => known.id === id);

async function registrant(id: string, ttlSeconds: number): Promise<ServiceProcess> {
  const port = await freePort();
  const child = await spawnService({
    name: `discovery-${id}`,
    entry: 'test/discovery/fixtures/registrant.ts',
    env: {
      ETCD_ENDPOINTS: platformEnv().ETCD_ENDPOINTS,
      DISCOVERY_NAMESPACE: namespace,
      DISCOVERY_LEASE_TTL_SECONDS: String(ttlSeconds),
      SERVICE_INSTANCE: id,
      PORT: String(port),
    },
    healthUrl: `http://127.0.0.1:${port}/`,
  });
  processes.push(child);
  return child;
}

beforeAll(async () => {
  registry = connectRegistry({ endpoints: listOf(platformEnv().ETCD_ENDPOINTS), namespace });
  watcher = new ServiceWatcher(registry.etcd, 'registrant', logger);
  await watcher.start();
});

afterAll(async () => {
  for (const child of processes) await child.stop('SIGKILL');
  await watcher?.close();
  await registry?.etcd.delete().all();
  registry?.close();
});

describe('service discovery on etcd', () => {
  it('shows a registered instance to a watcher, and drops it at once when its lease is revoked', async () => {
    const registration = registerInstance(registry.etcd, instance('a'), 5, logger);
    await registration.registered;
    await eventually('the watcher to see a', () => (listed('a') ? true : undefined), 5_000, 20);
    const stored = JSON.parse(await registry.etcd.get(instanceKey('registrant', 'a')).string() ?? '{}') as ServiceInstance;
    expect(stored).toMatchObject({ service: 'registrant', id: 'a', host: '127.0.0.1', httpPort: 1, version: 't', protocols: ['http'] });
    expect(Date.parse(stored.registeredAt)).not.toBeNaN();
    await registration.deregister();
    await eventually('the watcher to drop a', () => (listed('a') ? undefined : true), 2_000, 20);
  });

  it('keeps a live instance registered past its TTL (the lease is kept alive)', async () => {
    await registrant('alive', 2);
    await eventually('alive to be listed', () => (listed('alive') ? true : undefined), 5_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(listed('alive')).toBe(true);
  });

  it('drops a SIGKILLed instance when its lease expires, within its TTL', async () => {
    const ttlSeconds = 3;
    const child = await registrant('crashing', ttlSeconds);
    await eventually('crashing to be listed', () => (listed('crashing') ? true : undefined), 5_000, 20);
    const killedAt = Date.now();
    await child.stop('SIGKILL');
    const goneAfterMs = await eventually('crashing to be dropped', () => (listed('crashing') ? undefined : Date.now() - killedAt), 15_000, 20);
    console.info(`SIGKILLed registrant dropped after ${goneAfterMs} ms (TTL ${ttlSeconds} s)`);
    // The key goes when the TTL since the last keep-alive has run out; etcd looks for expired leases
    // every 500 ms, and the watch event and this poll add a little: allow 1 s on top of the TTL.
    expect(goneAfterMs).toBeLessThanOrEqual(ttlSeconds * 1000 + 1_000);
  });

  it('registers again an instance that was frozen past its TTL (SIGSTOP, then SIGCONT)', async () => {
    const child = await registrant('frozen', 2);
    await eventually('frozen to be listed', () => (listed('frozen') ? true : undefined), 5_000, 20);
    child.child.kill('SIGSTOP');
    try {
      await eventually('frozen to be dropped', () => (listed('frozen') ? undefined : true), 10_000, 20);
    } finally {
      child.child.kill('SIGCONT');
    }
    await eventually('frozen to be listed again', () => (listed('frozen') ? true : undefined), 15_000, 50);
  });

  it('deregisters on SIGTERM before the process exits', async () => {
    const child = await registrant('leaving', 30);
    await eventually('leaving to be listed', () => (listed('leaving') ? true : undefined), 5_000, 20);
    const stopping = child.stop('SIGTERM');
    await eventually('leaving to be dropped long before its 30 s TTL', () => (listed('leaving') ? undefined : true), 3_000, 20);
    expect(await stopping).toBe(0);
  });

  it('ignores a malformed registry entry', async () => {
    await registry.etcd.put(instanceKey('registrant', 'garbage')).value('{not json');
    await registry.etcd.put(instanceKey('registrant', 'bad-port')).value(JSON.stringify({ ...instance('bad-port'), httpPort: 'eighty' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listed('garbage')).toBe(false);
    expect(listed('bad-port')).toBe(false);
  });
});
