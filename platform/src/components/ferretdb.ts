// FerretDB (v1, SQLite backend) through our small Go launcher, built by
// platform/bootstrap.sh: the MongoDB wire protocol for the Order Service,
// since no MongoDB server package exists in the registries we can use.
import { existsSync, mkdirSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { ferretdbLauncherPath } from '../paths';
import type { ManagedProcess } from '../process-supervisor';
import { waitFor } from '../wait';
import { LOOPBACK, type ComponentContext } from './context';

export const ORDER_DB_NAME = 'eticket_orders';

export interface FerretdbHandle {
  process: ManagedProcess;
  url: string;
}

export async function mongoPing(url: string, timeoutMs = 2000): Promise<{ ok: boolean; detail: string }> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.db().command({ ping: 1 });
    return { ok: true, detail: 'up (ping ok)' };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function startFerretdb(ctx: ComponentContext): Promise<FerretdbHandle> {
  const launcher = ferretdbLauncherPath();
  if (!existsSync(launcher)) {
    throw new Error(`FerretDB launcher not found at ${launcher}: run \`bash platform/bootstrap.sh\` (it builds it with Go), or set ORDER_MONGO_URL to an external MongoDB`);
  }
  mkdirSync(ctx.layout.ferretdb, { recursive: true });
  const listen = `${LOOPBACK}:${ctx.ports.ferretdb}`;
  const process = ctx.supervisor.spawn({
    name: 'ferretdb',
    command: launcher,
    args: ['--listen', listen, '--data', ctx.layout.ferretdb],
    cwd: ctx.layout.ferretdb,
  });
  const url = `mongodb://${listen}/${ORDER_DB_NAME}`;
  await waitFor(async () => {
    const ping = await mongoPing(url, 1000);
    if (!ping.ok) throw new Error(ping.detail);
    return true;
  }, { what: 'FerretDB ping', timeoutMs: 30_000, signal: ctx.signal, failFast: () => process.deathNote() });
  return { process, url };
}
