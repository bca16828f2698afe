// etcd: a single member on loopback. It is Patroni's DCS (leader key) and the
// services' discovery store. Runs as the database user so Patroni's world is
// owned by one account.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { httpJson, isRecord } from '../http';
import { giveTo } from '../os-user';
import type { ManagedProcess } from '../process-supervisor';
import { waitFor } from '../wait';
import { LOOPBACK, type ComponentContext } from './context';

export interface EtcdHandle {
  process: ManagedProcess;
  endpoint: string;
}

export async function etcdHealth(endpoint: string): Promise<{ healthy: boolean; detail: string }> {
  try {
    const body = await httpJson(`${endpoint.replace(/\/$/, '')}/health`);
    const healthy = isRecord(body) && body.health === 'true';
    return { healthy, detail: healthy ? 'healthy' : `unhealthy: ${JSON.stringify(body)}` };
  } catch (error) {
    return { healthy: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

export async function startEtcd(ctx: ComponentContext): Promise<EtcdHandle> {
  const { layout, ports } = ctx;
  mkdirSync(layout.etcd, { recursive: true });
  giveTo(layout.etcd, ctx.runAs);
  const client = `http://${LOOPBACK}:${ports.etcdClient}`;
  const peer = `http://${LOOPBACK}:${ports.etcdPeer}`;
  const process = ctx.supervisor.spawn({
    name: 'etcd',
    command: 'etcd',
    args: [
      '--name', 'eticket',
      '--data-dir', join(layout.etcd, 'data'),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `eticket=${peer}`,
      // Ignored once the data folder exists, so restarts keep their data.
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `eticket-${ports.etcdClient}`,
      // Patroni writes its leader key every loop: keep the history short.
      '--auto-compaction-mode', 'revision',
      '--auto-compaction-retention', '1000',
    ],
    cwd: layout.etcd,
    runAs: ctx.runAs,
  });
  await waitFor(async () => (await etcdHealth(client)).healthy, {
    what: 'etcd health', timeoutMs: 20_000, signal: ctx.signal, failFast: () => process.deathNote(),
  });
  return { process, endpoint: client };
}
