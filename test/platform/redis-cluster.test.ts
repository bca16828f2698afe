// The Redis Cluster is real: 3 masters with a replica each, and keys live on
// the master that owns their hash slot.
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { listOf, platformEnv } from '../setup/platform-env';

const env = platformEnv();
const startupNodes = listOf(env.REDIS_CLUSTER_NODES).map((address) => {
  const [host, port] = address.split(':');
  return { host: host!, port: Number(port) };
});
const cluster = new Cluster(startupNodes);
const direct: Redis[] = [];

function connectDirect(host: string, port: number): Redis {
  const client = new Redis({ host, port, lazyConnect: false, maxRetriesPerRequest: 1 });
  direct.push(client);
  return client;
}

afterAll(() => {
  cluster.disconnect();
  for (const c of direct) c.disconnect();
});

describe('redis cluster', () => {
  it('reports cluster_state:ok with 3 masters covering all 16384 slots', async () => {
    const info = String(await cluster.call('CLUSTER', 'INFO'));
    expect(info).toMatch(/cluster_state:ok/);
    expect(info).toMatch(/cluster_slots_assigned:16384/);
    expect(info).toMatch(/cluster_size:3/);
    const lines = String(await cluster.call('CLUSTER', 'NODES')).trim().split('\n');
    expect(lines.filter((l) => l.includes('master'))).toHaveLength(3);
    expect(lines.filter((l) => l.includes('slave'))).toHaveLength(3);
  });

  it('stores a key set through the Cluster client on the master that owns its hash slot', async () => {
    const key = `platform-probe:${randomUUID()}`;
    await cluster.set(key, 'owned', 'EX', 60);
    const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));

    // CLUSTER NODES: "<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <state> <slot ranges...>"
    const owner = String(await cluster.call('CLUSTER', 'NODES')).trim().split('\n').map((line) => line.split(' ')).find((fields) => {
      if (!fields[2]?.includes('master')) return false;
      return fields.slice(8).some((range) => {
        const [from, to] = range.split('-').map(Number);
        return slot >= from! && slot <= (to ?? from!);
      });
    });
    expect(owner).toBeDefined();
    const [host, portAndBus] = owner![1]!.split(':');
    const port = Number(portAndBus!.split('@')[0]);
    expect(cluster.nodes('master').map((n) => n.options.port)).toContain(port);

    const ownerClient = connectDirect(host!, port);
    expect(await ownerClient.get(key)).toBe('owned');

    // Any other master refuses the key and points to the owner.
    const other = cluster.nodes('master').find((n) => n.options.port !== port)!;
    const otherClient = connectDirect(other.options.host ?? '127.0.0.1', other.options.port!);
    await expect(otherClient.get(key)).rejects.toThrow(new RegExp(`MOVED ${slot} 127.0.0.1:${port}`));
  });
});
