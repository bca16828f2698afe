// The data warehouse: one plain PostgreSQL (initdb + postgres, no Patroni),
// separate from the User Service's cluster so analytics load cannot hurt it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { giveTo } from '../os-user';
import { pgBinDir } from '../paths';
import type { ManagedProcess } from '../process-supervisor';
import { waitFor } from '../wait';
import { LOOPBACK, type ComponentContext } from './context';
import { APP_PASSWORD, APP_ROLE, ensureRoleAndDatabase, pgPing, pgUrl, SUPERUSER, SUPERUSER_PASSWORD } from './pg-admin';
import { socketDir } from './pg-socket';

export const WAREHOUSE_DB_NAME = 'eticket_warehouse';

export interface WarehouseHandle {
  process: ManagedProcess;
  url: string;
}

function initdb(ctx: ComponentContext, pgdata: string): void {
  const pwfile = join(ctx.layout.warehouse, 'superuser.pw');
  writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o600 });
  giveTo(pwfile, ctx.runAs);
  const result = spawnSync(join(pgBinDir, 'initdb'), [
    '-D', pgdata, '-U', SUPERUSER, `--pwfile=${pwfile}`,
    '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8',
  ], { encoding: 'utf8', ...(ctx.runAs ? { uid: ctx.runAs.uid, gid: ctx.runAs.gid, env: { ...process.env, HOME: ctx.runAs.home } } : {}) });
  rmSync(pwfile, { force: true });
  if (result.status !== 0) {
    // A half-made folder would make the next start skip initdb.
    rmSync(pgdata, { recursive: true, force: true });
    throw new Error(`warehouse initdb failed: ${result.error?.message ?? ''}${result.stderr}`);
  }
}

export async function startWarehouse(ctx: ComponentContext): Promise<WarehouseHandle> {
  const pgdata = join(ctx.layout.warehouse, 'pgdata');
  mkdirSync(ctx.layout.warehouse, { recursive: true });
  giveTo(ctx.layout.warehouse, ctx.runAs);
  if (!existsSync(join(pgdata, 'PG_VERSION'))) initdb(ctx, pgdata);
  const port = ctx.ports.warehouse;
  // Spawn the postmaster itself (not pg_ctl, which forks) so the pid is the server's.
  const process = ctx.supervisor.spawn({
    name: 'warehouse-postgres',
    command: join(pgBinDir, 'postgres'),
    args: [
      '-D', pgdata,
      '-c', `port=${port}`,
      '-c', `listen_addresses=${LOOPBACK}`,
      '-c', `unix_socket_directories=${socketDir(ctx.layout.run, ctx.runAs)}`,
      '-c', 'shared_buffers=32MB',
      '-c', 'max_connections=100',
    ],
    cwd: ctx.layout.warehouse,
    runAs: ctx.runAs,
    // SIGTERM is "smart" shutdown, which waits for every idle pooled client; SIGINT is "fast".
    stopSignal: 'SIGINT',
  });
  const adminUrl = pgUrl(SUPERUSER, SUPERUSER_PASSWORD, port, 'postgres');
  await waitFor(async () => {
    const ping = await pgPing(adminUrl, 1000);
    if (!ping.ok) throw new Error(ping.detail);
    return true;
  }, { what: 'warehouse PostgreSQL', timeoutMs: 30_000, signal: ctx.signal, failFast: () => process.deathNote() });
  await ensureRoleAndDatabase(adminUrl, WAREHOUSE_DB_NAME);
  return { process, url: pgUrl(APP_ROLE, APP_PASSWORD, port, WAREHOUSE_DB_NAME) };
}
